import { mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'

// Debian's Chromium driven by playwright-core: nothing downloads a browser. One browser per test
// file; each scenario gets its own context (a fresh profile: cookies, storage). axe-core is
// evaluated in the page through the DevTools protocol, which the page's CSP does not govern, so
// the app keeps its strict CSP while it is checked.

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const SCREENSHOTS = join(import.meta.dir, '..', 'e2e', 'screenshots')
export const PHONE = { width: 360, height: 740 }
export const DESKTOP = { width: 1280, height: 800 }

const AXE = await Bun.file(createRequire(import.meta.url).resolve('axe-core/axe.min.js')).text()

export function launchChromium(): Promise<Browser> {
	mkdirSync(SCREENSHOTS, { recursive: true })
	// ? playwright gives every launch a fresh temporary profile (--user-data-dir) of its own.
	return chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
	})
}

export interface Watched {
	context: BrowserContext
	page: Page
	/** Console errors, CSP violations and uncaught page errors seen so far. */
	problems: string[]
	/** Every URL the page requested or navigated to. */
	urls: string[]
}

export async function openContext(browser: Browser, opts: { viewport: { width: number; height: number }; locale: string }): Promise<Watched> {
	const context = await browser.newContext({ viewport: opts.viewport, locale: opts.locale, acceptDownloads: true })
	const page = await context.newPage()
	const problems: string[] = []
	const urls: string[] = []
	page.on('console', (m) => {
		// ? 4xx answers the app handles (a wrong password) are logged by Chromium as errors too.
		if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) problems.push(m.text())
	})
	page.on('pageerror', (e) => problems.push(String(e)))
	page.on('request', (r) => urls.push(r.url()))
	page.on('framenavigated', (f) => urls.push(f.url()))
	return { context, page, problems, urls }
}

export interface AxeViolation {
	id: string
	impact: string | null
	help: string
	nodes: Array<{ target: string[] }>
}

/** axe-core on the page as it is now: the serious and critical violations. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
	if (!(await page.evaluate<boolean>("'axe' in window"))) await page.evaluate(AXE)
	const result = await page.evaluate<{ violations: AxeViolation[] }>('axe.run()')
	return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
}

/** Checks the page with axe and for unfilled placeholders, and writes its screenshot; returns the problems (expected none). */
export async function checkPage(page: Page, name: string): Promise<string[]> {
	const found = await seriousViolations(page)
	await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true })
	const problems = found.map((v) => `${name}: ${v.id} (${v.impact}) ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
	// a string shown with a placeholder left unfilled ("{name}")
	const unfilled = (await page.evaluate<string>('document.body.innerText')).match(/\{\w+\}/g)
	if (unfilled) problems.push(`${name}: unfilled placeholders ${unfilled.join(' ')}`)
	return problems
}
