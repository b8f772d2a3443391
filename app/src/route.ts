import type { Me } from './api'
import type { Key } from './i18n'

export interface Ctx {
	me: Me | null
	go(path: string, replace?: boolean): void
	loadMe(): Promise<Me | null>
	signedOut(): void
}

export type PageContent = Node | Array<Node | null | false>
export type Page = (ctx: Ctx, params: string[], query: URLSearchParams) => Promise<PageContent> | PageContent

export interface Route {
	path: RegExp
	page: Page
	auth?: boolean
	/** The window title when the heading names a child: titles end up in the browser's history. */
	title?: Key
}
