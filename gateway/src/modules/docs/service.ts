import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

// Swagger UI's two files, straight from the swagger-ui-dist npm package, and the page around them.

const DIST = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))

// Only these files of the package are served: the name comes from the URL.
const ASSETS: Record<string, string> = {
	'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
	'swagger-ui.css': 'text/css; charset=utf-8',
}

export function docsAsset(name: string): Response | undefined {
	const type = ASSETS[name]
	if (!type) return undefined
	return new Response(Bun.file(join(DIST, name)), { headers: { 'content-type': type, 'cache-control': 'public, max-age=86400' } })
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

export const DOCS_PAGE = (title: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/swagger/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/swagger/assets/swagger-ui-bundle.js"></script>
<script src="/swagger/assets/init.js"></script>
</body>
</html>
`

// ? validatorUrl null: Swagger UI would otherwise send the document to a public validator.
export const INIT_SCRIPT = `window.ui = SwaggerUIBundle({ url: '/swagger/json', dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null })\n`
