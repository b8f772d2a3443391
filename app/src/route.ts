import type { Me } from './api'

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
}
