// Every call to the gateway's parent API. The session lives in httpOnly SameSite=Strict cookies the
// script cannot read; changes carry the readable CSRF cookie back as X-CSRF-Token (double submit).
// A 401 is retried once after refreshing the session with the refresh cookie.

export class ApiError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
	) {
		super(message)
	}
}

function csrfToken(): string {
	const m = /(?:^|;\s*)teddy_csrf=([^;]+)/.exec(document.cookie)
	return m ? decodeURIComponent(m[1]!) : ''
}

async function send(method: string, path: string, body?: unknown): Promise<Response> {
	const headers: Record<string, string> = { accept: 'application/json' }
	if (body !== undefined) headers['content-type'] = 'application/json'
	if (method !== 'GET') headers['x-csrf-token'] = csrfToken()
	return fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' })
}

let refreshing: Promise<boolean> | null = null
function refresh(): Promise<boolean> {
	refreshing ??= send('POST', '/api/v1/accounts/refresh', {})
		.then((r) => r.ok)
		.catch(() => false)
		.finally(() => {
			refreshing = null
		})
	return refreshing
}

const NO_RETRY = /\/accounts\/(login|refresh|register|password|verify-email)/

export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
	let r = await send(method, path, body)
	if (r.status === 401 && !NO_RETRY.test(path) && (await refresh())) r = await send(method, path, body)
	if (!r.ok) {
		const e = (await r.json().catch(() => ({}))) as { code?: string; message?: string }
		throw new ApiError(r.status, e.code ?? 'INTERNAL', e.message ?? r.statusText)
	}
	return (await r.json()) as T
}

/** Fetches a JSON export and hands it to the browser as a download (never through a URL with data in it). */
export async function download(path: string, fallbackName: string): Promise<void> {
	const r = await send('GET', path)
	if (!r.ok) throw new ApiError(r.status, 'INTERNAL', r.statusText)
	const name = /filename="([^"]+)"/.exec(r.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName
	const url = URL.createObjectURL(await r.blob())
	const a = document.createElement('a')
	a.href = url
	a.download = name
	document.body.appendChild(a)
	a.click()
	a.remove()
	setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export interface Me {
	id: string
	email: string
	role: 'parent' | 'operator'
	family_id: string | null
}
export interface Child {
	id: string
	name: string
	age: number
	language: string | null
	created_at: string
}
export interface Alert {
	id: string
	child_id: string | null
	device_id: string | null
	kind: 'self_harm' | 'abuse' | 'danger'
	excerpt: string
	created_at: string
	acknowledged_at: string | null
}
export interface Message {
	id: string
	seq: number
	role: 'child' | 'assistant' | 'system'
	text: string
	created_at: string
}
export interface Conversation {
	id: string
	device_id: string
	started_at: string
	ended_at: string | null
	messages: number
}
export interface Device {
	device_id: string
	child_id: string
	online: boolean
	firmware_version: string | null
	last_seen_at: string
	paired_since: string
}
