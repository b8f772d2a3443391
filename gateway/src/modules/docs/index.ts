import { swagger } from '@elysiajs/swagger'
import { Elysia } from 'elysia'
import { DOCS_PAGE, docsAsset, INIT_SCRIPT } from './service'

// The API reference at /swagger: the OpenAPI document generated from the routes' TypeBox schemas
// (/swagger/json), shown by Swagger UI. Every byte of the page comes from this gateway (the UI
// from the swagger-ui-dist package); nothing is loaded from a CDN, and no script is inline.
// @elysiajs/swagger generates the document; its own page (CDN scripts, inline init) is replaced
// by ours: a route registered after the plugin's answers the same path.

export interface DocsInfo {
	title: string
	version: string
	description: string
}

export function docsModule(info: DocsInfo, components: Record<string, unknown> = {}) {
	const hidden = { detail: { hide: true } }
	return new Elysia({ name: 'Docs' })
		.use(swagger({ path: '/swagger', specPath: '/swagger/json', provider: 'swagger-ui', documentation: { info, components } }))
		.get('/swagger', () => new Response(DOCS_PAGE(info.title), { headers: { 'content-type': 'text/html; charset=utf-8' } }), hidden)
		.get('/swagger/assets/init.js', () => new Response(INIT_SCRIPT, { headers: { 'content-type': 'text/javascript; charset=utf-8' } }), hidden)
		.get('/swagger/assets/:file', ({ params, status }) => docsAsset(params.file) ?? status(404, { code: 'NOT_FOUND', message: 'no such file' }), hidden)
}
