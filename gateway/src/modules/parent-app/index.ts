import { Elysia } from 'elysia'
import { type ParentAppBundle, serveFile } from './service'

// The parent web app at /app: hashed assets under /app/assets/, and index.html for every other
// path below /app (the app routes in the browser; mailed links such as /app/verify-email land here).

export function parentAppModule(bundle: ParentAppBundle) {
	const hidden = { detail: { hide: true } }
	const index = ({ request }: { request: Request }) => serveFile(bundle.index, request.headers.get('accept-encoding'))
	return new Elysia({ name: 'ParentApp' })
		.get(
			'/app/assets/:file',
			({ params, request, status }) => {
				const f = bundle.assets.get(params.file)
				return f ? serveFile(f, request.headers.get('accept-encoding')) : status(404, { code: 'NOT_FOUND', message: 'no such file' })
			},
			hidden,
		)
		.get('/app', index, hidden)
		.get('/app/*', index, hidden)
}
