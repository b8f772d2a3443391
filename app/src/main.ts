import './style.css'
import { api, type Me } from './api'
import { h } from './dom'
import { applyLang, LANGUAGES, type Lang, lang, setLang, t } from './i18n'
import { accountPage } from './pages/account'
import { alertPage } from './pages/alert'
import { authRoutes } from './pages/auth'
import { childPage } from './pages/child'
import { conversationPage } from './pages/conversation'
import { homePage } from './pages/home'
import { linkRoutes } from './pages/links'
import { settingsPage } from './pages/settings'
import { toysPage } from './pages/toys'
import { usagePage } from './pages/usage'
import type { Ctx, Route } from './route'
import { errorText, heading, notice } from './ui'

// The app's frame: header, navigation, language picker, and a router over history.pushState.
// Paths carry only opaque ids (UUIDs), never a name or a word a child said.

const routes: Route[] = [
	...authRoutes,
	...linkRoutes,
	{ path: /^\/app\/?$/, page: homePage, auth: true },
	{ path: /^\/app\/children\/([0-9a-f-]{36})$/, page: childPage, auth: true, title: 'nav.children' },
	{ path: /^\/app\/children\/([0-9a-f-]{36})\/conversations\/([0-9a-f-]{36})$/, page: conversationPage, auth: true, title: 'conv.title' },
	{ path: /^\/app\/alerts\/([0-9a-f-]{36})$/, page: alertPage, auth: true },
	{ path: /^\/app\/toys$/, page: toysPage, auth: true },
	{ path: /^\/app\/settings$/, page: settingsPage, auth: true },
	{ path: /^\/app\/usage$/, page: usagePage, auth: true },
	{ path: /^\/app\/account$/, page: accountPage, auth: true },
]

const main = h('main', { id: 'main' })
const nav = h('nav', { 'aria-label': 'main' })
const header = h('header', { class: 'top' })

const ctx: Ctx = {
	me: null,
	go(path: string, replace = false) {
		if (replace) history.replaceState(null, '', path)
		else history.pushState(null, '', path)
		void render()
	},
	async loadMe() {
		ctx.me = await api<Me>('GET', '/api/v1/accounts/me').catch(() => null)
		return ctx.me
	},
	signedOut() {
		ctx.me = null
		ctx.go('/app/login')
	},
}

function drawHeader(): void {
	const select = h(
		'select',
		{
			id: 'lang',
			onchange: () => {
				setLang(select.value as Lang)
				void render()
			},
		},
		Object.entries(LANGUAGES).map(([code, name]) => h('option', { value: code, lang: code, selected: code === lang() }, name)),
	)
	nav.setAttribute('aria-label', t('nav.label'))
	const links: Array<[string, string]> = ctx.me
		? [
				['/app', t('nav.children')],
				['/app/toys', t('nav.toys')],
				['/app/settings', t('nav.settings')],
				['/app/usage', t('nav.usage')],
				['/app/account', t('nav.account')],
			]
		: []
	const here = location.pathname
	nav.replaceChildren(
		h(
			'ul',
			null,
			links.map(([href, label]) =>
				h('li', null, h('a', { href, 'aria-current': (href === '/app' ? here === '/app' || here === '/app/' : here.startsWith(href)) ? 'page' : false }, label)),
			),
		),
	)
	header.replaceChildren(
		h('a', { class: 'skip', href: '#main' }, t('nav.skip')),
		h('div', { class: 'bar' }, h('a', { class: 'brand', href: '/app' }, 'Teddy'), h('div', { class: 'lang' }, h('label', { for: 'lang' }, t('nav.language')), select)),
		nav,
	)
}

let generation = 0

async function render(): Promise<void> {
	const mine = ++generation
	applyLang()
	const path = location.pathname
	const route = routes.find((r) => r.path.test(path))
	if (route?.auth && !ctx.me && !(await ctx.loadMe())) {
		if (mine === generation) ctx.go('/app/login', true)
		return
	}
	drawHeader()
	main.setAttribute('aria-busy', 'true')
	let content: Node[]
	try {
		const m = route ? route.path.exec(path)! : null
		const made = route ? await route.page(ctx, m!.slice(1), new URLSearchParams(location.search)) : [h('h1', { tabindex: '-1' }, t('notfound.title'))]
		content = (Array.isArray(made) ? made : [made]).filter((n): n is Node => !!n)
	} catch (e) {
		content = [heading(t('err.title')), notice('error', errorText(e))]
	}
	if (mine !== generation) return
	main.replaceChildren(...content)
	main.removeAttribute('aria-busy')
	const h1 = main.querySelector('h1')
	const title = route?.title ? t(route.title) : h1?.textContent
	document.title = title ? `${title} · Teddy` : 'Teddy'
	h1?.focus()
}

// ? One listener for every in-app link: plain clicks stay in the app, modified clicks open tabs.
document.addEventListener('click', (ev) => {
	const a = (ev.target as Element).closest?.('a')
	if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || a.hasAttribute('download')) return
	const href = a.getAttribute('href') ?? ''
	if (!href.startsWith('/app')) return
	ev.preventDefault()
	ctx.go(href)
})
window.addEventListener('popstate', () => void render())

document.body.replaceChildren(header, main)
void render()
