import { brotliCompressSync, constants as zlib } from 'node:zlib'
import { join } from 'node:path'

// The parent web app (app/ at the top of the repository), bundled by Bun.build once when the
// gateway starts: a few hundred milliseconds, deterministic, and nothing to build or commit
// beforehand. Every file is kept in memory, precompressed (brotli and gzip); asset names carry a
// content hash so they can be cached for a year, while index.html is never cached.

export const APP_SOURCES = join(import.meta.dir, '..', '..', '..', '..', 'app')

export interface AppFile {
	type: string
	raw: Uint8Array
	gzip: Uint8Array
	br: Uint8Array
	/** index.html: revalidate every time; hashed assets: immutable. */
	immutable: boolean
}

export interface ParentAppBundle {
	index: AppFile
	/** By file name under /app/assets/. */
	assets: Map<string, AppFile>
}

const TYPES: Record<string, string> = {
	js: 'text/javascript; charset=utf-8',
	css: 'text/css; charset=utf-8',
	svg: 'image/svg+xml',
	html: 'text/html; charset=utf-8',
}

function file(raw: Uint8Array, type: string, immutable: boolean): AppFile {
	return {
		type,
		raw,
		gzip: Bun.gzipSync(raw as Uint8Array<ArrayBuffer>, { level: 9 }),
		br: new Uint8Array(brotliCompressSync(raw, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } })),
		immutable,
	}
}

export async function buildParentApp(sources = APP_SOURCES): Promise<ParentAppBundle> {
	const result = await Bun.build({
		entrypoints: [join(sources, 'src', 'main.ts')],
		target: 'browser',
		minify: true,
		naming: { entry: '[name]-[hash].[ext]', asset: '[name]-[hash].[ext]', chunk: '[name]-[hash].[ext]' },
		publicPath: '/app/assets/',
	})
	if (!result.success) throw new Error(`parent app build failed: ${result.logs.map(String).join('\n')}`)
	const assets = new Map<string, AppFile>()
	let script = ''
	let style = ''
	for (const out of result.outputs) {
		const name = out.path.replace(/^.*[\\/]/, '')
		const ext = name.slice(name.lastIndexOf('.') + 1)
		assets.set(name, file(new Uint8Array(await out.arrayBuffer()), TYPES[ext] ?? 'application/octet-stream', true))
		if (out.kind === 'entry-point' && ext === 'js') script = name
		if (ext === 'css') style = name
	}
	const icon = await Bun.file(join(sources, 'icon.svg')).bytes()
	const iconName = `icon-${Bun.hash(icon).toString(16)}.svg`
	assets.set(iconName, file(icon, TYPES.svg!, true))
	const template = await Bun.file(join(sources, 'index.html')).text()
	const html = template
		.replace('%SCRIPT%', `/app/assets/${script}`)
		.replace('%STYLE%', `/app/assets/${style}`)
		.replace('%ICON%', `/app/assets/${iconName}`)
	return { index: file(new TextEncoder().encode(html), TYPES.html!, false), assets }
}

/** The answer for one file, in the best encoding the client accepts. */
export function serveFile(f: AppFile, acceptEncoding: string | null): Response {
	const accepts = (acceptEncoding ?? '').toLowerCase()
	const headers: Record<string, string> = {
		'content-type': f.type,
		'cache-control': f.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
		vary: 'Accept-Encoding',
	}
	let body = f.raw
	if (/\bbr\b/.test(accepts)) {
		body = f.br
		headers['content-encoding'] = 'br'
	} else if (/\bgzip\b/.test(accepts)) {
		body = f.gzip
		headers['content-encoding'] = 'gzip'
	}
	return new Response(body, { headers })
}
