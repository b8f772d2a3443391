import { afterAll, beforeAll, expect, test } from 'bun:test'
import postgres from 'postgres'
import type { Browser, Page } from 'playwright-core'
import { en } from '../../app/src/strings/en'
import { checkPage, DESKTOP, launchChromium, openContext, PHONE, type Watched } from '../support/browser'
import { createTestDatabase, type TestDatabase } from '../support/databases'
import { type GatewayProcess, startGatewayProcess } from '../support/gateway-process'
import { PASSWORD, TEST_AUTH_SECRET, TEST_ENCRYPTION_KEY } from '../support/parent-app'
import { v2Token } from '../support/seed-url'
import { linkIn, type SmtpSink, startSmtpSink } from '../support/smtp-sink'
import { TestSocket } from '../support/ws-client'

// The parent app in Debian's Chromium against a real gateway process, real PostgreSQL and the SMTP
// sink: every flow of issue 13 at desktop size in English, sign-up to a first child at phone size
// in Arabic (the browser's language) and Vietnamese (picked by the parent). Every page is checked
// with axe-core and written to test/e2e/screenshots/.

let db: TestDatabase
let sql: postgres.Sql
let sink: SmtpSink
let gw: GatewayProcess
let browser: Browser
let appUrl: string
let violations: string[] = []
const opened: Watched[] = []

async function freePort(): Promise<number> {
	const s = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
	const port = s.port
	s.stop(true)
	return port
}

beforeAll(async () => {
	db = await createTestDatabase()
	sql = postgres(db.url, { max: 2, onnotice: () => {} })
	sink = startSmtpSink()
	// ? The mailed links must point at this gateway, so its port is chosen before it starts.
	const port = await freePort()
	appUrl = `http://127.0.0.1:${port}/app`
	;[gw, browser] = await Promise.all([
		startGatewayProcess({
			PORT: String(port),
			DATABASE_URL: db.url,
			ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
			AUTH_SECRET: TEST_AUTH_SECRET,
			SMTP_URL: sink.url,
			PUBLIC_APP_URL: appUrl,
			// one browser makes many API calls a minute from one address
			PARENT_REQUESTS_PER_IP_PER_MINUTE: '100000',
			REST_REQUESTS_PER_IP_PER_MINUTE: '100000',
		}),
		launchChromium(),
	])
})

afterAll(async () => {
	for (const w of opened) await w.context.close().catch(() => {})
	await browser?.close()
	await gw?.stop()
	sink?.stop()
	await sql?.end()
	await db?.drop()
})

async function open(viewport: typeof PHONE, locale: string): Promise<Watched> {
	violations = []
	const w = await openContext(browser, { viewport, locale })
	opened.push(w)
	return w
}

async function heading(page: Page, text: string): Promise<void> {
	await page.locator('h1', { hasText: text }).waitFor({ timeout: 15_000 })
}

async function check(page: Page, name: string): Promise<void> {
	violations.push(...(await checkPage(page, name)))
}

/** Sign up, follow the mailed link, sign in: as a parent does it, in whatever language the page is in. */
async function signUpAndIn(page: Page, email: string, shots: string, h: { signup: string; verify: string; home: string; login: string; notVerified?: string }): Promise<void> {
	await page.goto(`${appUrl}/signup`)
	await heading(page, h.signup)
	await page.fill('#signup-email', email)
	await page.fill('#signup-password', PASSWORD)
	await page.click('#signup-form button[type=submit]')
	await page.locator('.notice.ok').waitFor()
	await check(page, `${shots}-signup`)
	if (h.notVerified) {
		// signing in before the address is confirmed says so, in the page's language
		await page.goto(`${appUrl}/login`)
		await page.fill('#login-email', email)
		await page.fill('#login-password', PASSWORD)
		await page.press('#login-password', 'Enter')
		await page.locator('.notice.error', { hasText: h.notVerified }).waitFor()
	}
	const link = linkIn(await sink.waitFor(email, /verify-email/), `${appUrl}/verify-email`)
	await page.goto(link.href)
	await heading(page, h.verify)
	// the token leaves the address bar (and history) as soon as the page has read it
	expect(page.url()).toBe(`${appUrl}/verify-email`)
	await page.click('#link-confirm')
	await page.locator('#link-next').waitFor()
	await check(page, `${shots}-verified`)
	await page.click('#link-next')
	await heading(page, h.login)
	await page.fill('#login-email', email)
	await page.fill('#login-password', PASSWORD)
	await check(page, `${shots}-login`)
	await page.press('#login-password', 'Enter')
	await heading(page, h.home)
}

/** The bytes on the wire for a gzip-accepting client (Bun's fetch would otherwise inflate them). */
async function gzipped(url: string): Promise<{ r: Response; bytes: Uint8Array }> {
	const r = await fetch(url, { headers: { 'accept-encoding': 'gzip' }, decompress: false } as RequestInit)
	return { r, bytes: new Uint8Array(await r.arrayBuffer()) }
}

test('first load of /app is under 150 KB compressed, with a strict CSP and long-cached hashed assets', async () => {
	const { r: index, bytes } = await gzipped(`${appUrl}/`)
	expect(index.status).toBe(200)
	expect(index.headers.get('content-encoding')).toBe('gzip')
	expect(index.headers.get('cache-control')).toBe('no-cache')
	const csp = index.headers.get('content-security-policy')!
	expect(csp).toContain("script-src 'self'")
	expect(csp).toContain("style-src 'self'")
	expect(csp).toContain("frame-ancestors 'none'")
	expect(csp).not.toContain('unsafe-inline')
	const html = new TextDecoder().decode(Bun.gunzipSync(bytes as Uint8Array<ArrayBuffer>))
	// no inline script, style or handler: the CSP would refuse them
	expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son\w+=/)
	let total = bytes.byteLength
	const assets = [...html.matchAll(/(?:src|href)="(\/app\/assets\/[^"]+)"/g)].map((m) => m[1]!)
	expect(assets.length).toBe(3)
	for (const path of assets) {
		const { r, bytes: body } = await gzipped(`${gw.url}${path}`)
		expect(r.status).toBe(200)
		expect(r.headers.get('cache-control')).toContain('immutable')
		expect(r.headers.get('content-encoding')).toBe('gzip')
		total += body.byteLength
	}
	console.log(`parent app first load: ${total} bytes gzip (${(total / 1024).toFixed(1)} KiB)`)
	expect(total).toBeLessThan(150 * 1024)
	// a deep link from a mail gets the app too; an unknown asset is a plain 404
	expect((await fetch(`${appUrl}/alerts/${crypto.randomUUID()}`)).headers.get('content-type')).toContain('text/html')
	expect((await fetch(`${gw.url}/app/assets/nope.js`)).status).toBe(404)
})

test('every flow at desktop size in English: sign-up to deletion, forgot password, axe-clean, no child data in URLs or storage', async () => {
	const w = await open(DESKTOP, 'en-US')
	const { page } = w
	const email = `en-${crypto.randomUUID().slice(0, 8)}@example.test`
	const child = 'Amira'
	const crisis = 'my uncle hits me'

	await page.goto(`${appUrl}`)
	await heading(page, en['auth.login.title'])
	expect(await page.evaluate('[document.documentElement.lang, document.documentElement.dir]')).toEqual(['en', 'ltr'])
	await signUpAndIn(page, email, 'en', { signup: en['auth.signup.title'], verify: en['links.verify.title'], home: en['home.title'], login: en['auth.login.title'] })
	await check(page, 'en-home-empty')

	// the session is in httpOnly SameSite=Strict cookies the script cannot read
	const cookies = await w.context.cookies()
	const access = cookies.find((c) => c.name === 'teddy_access')!
	expect(access.httpOnly).toBe(true)
	expect(access.sameSite).toBe('Strict')
	expect(cookies.find((c) => c.name === 'teddy_refresh')!.httpOnly).toBe(true)
	expect(await page.evaluate<string>('document.cookie')).not.toContain('teddy_access')

	// add a child
	await page.fill('#child-name', child)
	await page.fill('#child-age', '7')
	await page.click('#add-child-form button[type=submit]')
	await heading(page, child)
	const childId = /\/app\/children\/([0-9a-f-]{36})$/.exec(page.url())![1]!

	// consent: the wording and the policy version come from the API
	const policy = (await (await fetch(`${gw.url}/api/v1/consent/policy`)).json()) as { version: string; texts: { coppa: string } }
	expect(await page.textContent('#consent-text')).toContain(policy.texts.coppa)
	expect(await page.textContent('#consent-version')).toContain(policy.version)
	await check(page, 'en-consent')
	await page.check('#consent-coppa')
	await page.click('#consent-form button[type=submit]')
	await page.locator('.notice.ok', { hasText: en['consent.sent'] }).waitFor()
	const consentLink = linkIn(await sink.waitFor(email, /confirm-consent/), `${appUrl}/confirm-consent`)
	await page.goto(consentLink.href)
	await heading(page, en['links.consent.title'])
	await page.click('#link-confirm')
	await page.locator('.notice.ok', { hasText: en['links.consent.done'] }).waitFor()
	await check(page, 'en-consent-confirmed')
	await page.goto(`${appUrl}/children/${childId}`)
	await page.locator('.notice.ok', { hasText: en['consent.given'] }).waitFor()

	// pair a toy by the code it speaks
	const deviceId = 'aa:bb:cc:00:13:01'
	const started = await fetch(`${gw.url}/api/v1/pair/start`, { method: 'POST', headers: { 'Device-Id': deviceId, Authorization: `Bearer ${v2Token(deviceId)}` } })
	const { code } = (await started.json()) as { code: string }
	await page.fill('#pair-code', '000000' === code ? '111111' : '000000')
	await page.click('#pair-form button[type=submit]')
	await page.locator('.notice.error').waitFor()
	await page.fill('#pair-code', code)
	await page.click('#pair-form button[type=submit]')
	await page.locator('.toy', { hasText: deviceId }).waitFor()
	await check(page, 'en-paired')

	// the toy talks with the child; one thing said raises a crisis alert
	const toy = new TestSocket(`${gw.wsUrl}/xiaozhi/v1/`, { Authorization: `Bearer ${v2Token(deviceId)}`, 'Protocol-Version': '3', 'Device-Id': deviceId, 'Client-Id': 'c1' })
	await toy.opened
	toy.send({ type: 'hello', version: 3, transport: 'websocket', audio_params: { format: 'opus', sample_rate: 16000, channels: 1, frame_duration: 60 } })
	await toy.waitFor((m) => m.type === 'hello')
	toy.send({ type: 'listen', state: 'detect', text: crisis })
	await toy.waitFor((m) => m.type === 'tts' && m.state === 'sentence_start', 30_000)
	for (let i = 0; i < 200; i++) {
		const [row] = await sql<{ n: number }[]>`select count(*)::int as n from parent_alerts where child_id = ${childId}`
		if (row!.n > 0) break
		await Bun.sleep(50)
	}
	toy.close()
	await toy.closed

	// conversations, with the crisis alert highlighted
	await page.reload()
	await heading(page, child)
	const openAlert = page.locator('.alerts .alert.open', { hasText: crisis })
	await openAlert.waitFor()
	expect(await page.evaluate<string>(`getComputedStyle(document.querySelector('.alerts')).borderTopColor`)).toBe('rgb(180, 35, 24)')
	await page.locator('.convs a').first().waitFor()
	await check(page, 'en-child')
	await page.click('.convs a')
	await page.locator('.msg.crisis', { hasText: crisis }).waitFor()
	await check(page, 'en-conversation')
	// the alert mail's link opens the alert in the app
	const alertLink = linkIn(await sink.waitFor(email, /\/app\/alerts\//), `${appUrl}/alerts/`)
	await page.goto(alertLink.href)
	await heading(page, en['alert.title'])
	await page.locator('.msg.crisis', { hasText: crisis }).waitFor()
	await check(page, 'en-alert')
	await page.click('button[data-ack]')
	await page.locator('.notice.ok', { hasText: 'looked after' }).waitFor()
	const [acked] = await sql<{ acknowledged_at: Date | null }[]>`select acknowledged_at from parent_alerts where child_id = ${childId}`
	expect(acked!.acknowledged_at).not.toBeNull()

	// an expired access cookie is renewed with the refresh cookie, unnoticed by the parent
	await w.context.clearCookies({ name: 'teddy_access' })
	await page.goto(`${appUrl}/children/${childId}`)
	await heading(page, child)
	expect((await w.context.cookies()).some((c) => c.name === 'teddy_access')).toBe(true)

	// family rules, keyboard only: Tab to each field, type, Space ticks a box, Enter submits
	await page.goto(`${appUrl}/settings`)
	await heading(page, en['settings.title'])
	await check(page, 'en-settings')
	const tabTo = async (id: string) => {
		for (let i = 0; i < 40; i++) {
			if ((await page.evaluate<string | undefined>('document.activeElement?.id')) === id) return
			await page.keyboard.press('Tab')
		}
		throw new Error(`Tab never reached #${id}`)
	}
	await tabTo('daily_limit_minutes')
	await page.keyboard.type('45')
	await tabTo('daily_token_budget')
	await page.keyboard.type('20000')
	await tabTo('tool-self.audio_speaker.set_volume')
	await page.keyboard.press('Space')
	await page.fill('#quiet_from', '20:00')
	await page.fill('#quiet_to', '07:00')
	await tabTo('retention_days')
	await page.keyboard.press('Tab')
	await page.keyboard.press('Enter')
	await page.locator('.notice.ok', { hasText: en['settings.saved'] }).waitFor()
	const settings = (await (await w.context.request.get(`${gw.url}/api/v1/family/settings`)).json()) as { settings: Record<string, unknown> }
	expect(settings.settings).toMatchObject({ daily_limit_minutes: 45, daily_token_budget: 20000, quiet_hours: '20:00-07:00', allowed_tools: ['self.audio_speaker.set_volume'] })

	// the toy's status, progress, usage
	await page.click('nav a[href="/app/toys"]')
	await heading(page, en['toys.title'])
	await page.locator('.toy', { hasText: deviceId }).locator('dd.offline').waitFor()
	await check(page, 'en-toys')
	await page.click('nav a[href="/app/usage"]')
	await heading(page, en['usage.title'])
	expect(Number(await page.textContent('#usage-turns'))).toBeGreaterThanOrEqual(1)
	await check(page, 'en-usage')
	await page.goto(`${appUrl}/children/${childId}`)
	await page.locator('section', { hasText: en['progress.title'] }).locator('details').first().waitFor()

	// the same pages fit a 360 px phone
	await page.setViewportSize(PHONE)
	for (const [path, name, title] of [
		[`/children/${childId}`, 'child', child],
		['/toys', 'toys', en['toys.title']],
		['/usage', 'usage', en['usage.title']],
		['/settings', 'settings', en['settings.title']],
		['/account', 'account', en['account.title']],
	] as const) {
		await page.goto(`${appUrl}${path}`)
		await heading(page, title)
		expect({ name, width: await page.evaluate<number>('document.documentElement.scrollWidth') }).toEqual({ name, width: PHONE.width })
		await check(page, `en-phone-${name}`)
	}
	await page.setViewportSize(DESKTOP)

	// export: the household's data downloads as JSON
	await page.click('nav a[href="/app/account"]')
	await heading(page, en['account.title'])
	await check(page, 'en-account')
	const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-family')])
	const exported = JSON.parse(await Bun.file((await download.path())!).text()) as { format: string; scope: string }
	expect(exported).toMatchObject({ format: 'teddy-export/1', scope: 'family' })
	expect(JSON.stringify(exported)).toContain(crisis)

	// delete the conversation: the dialog says what goes, and only that goes
	await page.goto(`${appUrl}/children/${childId}`)
	await page.click('.convs a')
	await page.locator('.msg.crisis').waitFor()
	const messages = await page.locator('.msg').count()
	await page.click('#delete-conversation')
	const dialog = page.locator('dialog[open]')
	await dialog.waitFor()
	expect(await dialog.textContent()).toContain(`The ${messages} messages of this conversation between ${child} and the toy`)
	expect(await dialog.textContent()).toContain(`What the toy remembers about ${child}`)
	await check(page, 'en-delete-conversation')
	// the dialog holds the keyboard focus, and Escape leaves it with nothing deleted
	expect(await page.evaluate<boolean>(`document.querySelector('dialog[open]').contains(document.activeElement)`)).toBe(true)
	await page.keyboard.press('Escape')
	await dialog.waitFor({ state: 'detached' })
	expect((await sql`select 1 from conversations where child_id = ${childId}`).length).toBe(1)
	await page.click('#delete-conversation')
	await page.click('#confirm-yes')
	await heading(page, child)
	await page.locator('p', { hasText: en['conv.none'] }).waitFor()
	expect((await sql`select 1 from conversations where child_id = ${childId}`).length).toBe(0)
	expect((await sql`select 1 from children where id = ${childId}`).length).toBe(1)

	// no child's name or words in any URL the app used, nor in its storage, nor in the window
	// title (the browser's history keeps titles)
	expect(await page.title()).not.toContain(child)
	const storage = await page.evaluate<string>('JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })')
	for (const secret of [child, crisis, encodeURIComponent(crisis)]) {
		expect(w.urls.filter((u) => u.includes(secret))).toEqual([])
		expect(storage).not.toContain(secret)
	}

	// withdraw consent, unpair the toy
	await page.click('#consent-withdraw')
	await page.locator('#consent-form').waitFor()
	const [withdrawn] = await sql<{ n: number }[]>`select count(*)::int as n from consents where child_id = ${childId} and withdrawn_at is not null`
	expect(withdrawn!.n).toBeGreaterThan(0)
	await page.click('nav a[href="/app/toys"]')
	await page.click('.toy button.danger')
	await dialog.waitFor()
	expect(await dialog.textContent()).toContain(`The toy’s pairing with ${child}`)
	await page.click('#confirm-yes')
	await page.locator('p', { hasText: en['toys.none'] }).waitFor()
	const [unpaired] = await sql<{ paired_child_id: string | null }[]>`select paired_child_id from devices where device_id = ${deviceId}`
	expect(unpaired?.paired_child_id ?? null).toBeNull()
	await page.goto(`${appUrl}/children/${childId}`)
	await heading(page, child)

	// delete the child
	await page.click('#delete-child')
	await dialog.waitFor()
	expect(await dialog.textContent()).toContain(`${child}’s profile (name and age)`)
	await check(page, 'en-delete-child')
	await page.click('#confirm-yes')
	await heading(page, en['home.title'])
	await page.locator('p', { hasText: en['home.nochildren'] }).waitFor()
	expect((await sql`select 1 from children where id = ${childId}`).length).toBe(0)

	// forgot password: sign out, ask for the link, follow it, choose a new password, sign in
	await page.click('nav a[href="/app/account"]')
	await page.click('#logout')
	await heading(page, en['auth.login.title'])
	await page.click('a[href="/app/forgot-password"]')
	await heading(page, en['auth.forgot.title'])
	await page.fill('#forgot-email', email)
	await page.click('#forgot-form button[type=submit]')
	await page.locator('.notice.ok').waitFor()
	await check(page, 'en-forgot')
	const reset = linkIn(await sink.waitFor(email, /reset-password/), `${appUrl}/reset-password`)
	await page.goto(reset.href)
	await heading(page, en['auth.reset.title'])
	expect(page.url()).toBe(`${appUrl}/reset-password`)
	await page.fill('#reset-password', 'a brand new password')
	await check(page, 'en-reset')
	await page.click('#reset-form button[type=submit]')
	await page.locator('.notice.ok', { hasText: en['auth.reset.done'] }).waitFor()
	await page.fill('#login-email', email)
	await page.fill('#login-password', PASSWORD)
	await page.click('#login-form button[type=submit]')
	await page.locator('.notice.error').waitFor()
	await page.fill('#login-password', 'a brand new password')
	await page.click('#login-form button[type=submit]')
	await heading(page, en['home.title'])

	// delete the account, with the password again
	await page.click('nav a[href="/app/account"]')
	await page.click('#delete-account')
	await dialog.waitFor()
	expect(await dialog.textContent()).toContain('Every child’s profile, conversations, alerts, consents and progress')
	await check(page, 'en-delete-account')
	await page.fill('#confirm-password', 'a brand new password')
	await page.click('#confirm-yes')
	await heading(page, en['account.deleted.title'])
	const [{ n }] = (await sql`select count(*)::int as n from parents`) as unknown as [{ n: number }]
	expect(n).toBe(0)

	expect(w.problems).toEqual([])
	expect(violations).toEqual([])
})

test('Arabic from the browser language: right-to-left, at phone size, sign-up to a first child', async () => {
	const w = await open(PHONE, 'ar-EG')
	const { page } = w
	const { ar } = await import('../../app/src/strings/ar')
	await page.goto(`${appUrl}/login`)
	await heading(page, ar['auth.login.title'])
	expect(await page.evaluate('[document.documentElement.lang, document.documentElement.dir]')).toEqual(['ar', 'rtl'])
	await check(page, 'ar-phone-login-first')
	await signUpAndIn(page, `ar-${crypto.randomUUID().slice(0, 8)}@example.test`, 'ar-phone', {
		signup: ar['auth.signup.title'],
		verify: ar['links.verify.title'],
		home: ar['home.title'],
		login: ar['auth.login.title'],
		notVerified: ar['err.EMAIL_NOT_VERIFIED'],
	})
	// mirrored, not only translated: the brand sits at the right edge, the language picker at the left
	const brand = (await page.locator('.brand').boundingBox())!
	const picker = (await page.locator('#lang').boundingBox())!
	expect(brand.x).toBeGreaterThan(picker.x)
	expect(brand.x + brand.width).toBeGreaterThan(PHONE.width - 40)
	await page.fill('#child-name', 'ليلى')
	await page.fill('#child-age', '6')
	await page.click('#add-child-form button[type=submit]')
	await heading(page, 'ليلى')
	await check(page, 'ar-phone-child')
	await page.goto(`${appUrl}/`)
	await heading(page, ar['home.title'])
	await check(page, 'ar-phone-home')
	// nothing is wider than the phone
	expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width)
	expect(w.problems).toEqual([])
	expect(violations).toEqual([])
})

test('Vietnamese picked by the parent (browser in English) stays picked, at phone size', async () => {
	const w = await open(PHONE, 'en-US')
	const { page } = w
	const { vi } = await import('../../app/src/strings/vi')
	await page.goto(`${appUrl}/login`)
	await heading(page, en['auth.login.title'])
	await page.selectOption('#lang', 'vi')
	await heading(page, vi['auth.login.title'])
	expect(await page.evaluate('[document.documentElement.lang, document.documentElement.dir]')).toEqual(['vi', 'ltr'])
	await signUpAndIn(page, `vi-${crypto.randomUUID().slice(0, 8)}@example.test`, 'vi-phone', {
		signup: vi['auth.signup.title'],
		verify: vi['links.verify.title'],
		home: vi['home.title'],
		login: vi['auth.login.title'],
	})
	await page.fill('#child-name', 'Minh')
	await page.fill('#child-age', '9')
	await page.click('#add-child-form button[type=submit]')
	await heading(page, 'Minh')
	await page.locator('#consent-form').waitFor()
	await check(page, 'vi-phone-child')
	// the choice outlives a reload
	await page.reload()
	await heading(page, 'Minh')
	expect(await page.evaluate('document.documentElement.lang')).toBe('vi')
	await page.click('nav a[href="/app/settings"]')
	await heading(page, vi['settings.title'])
	await check(page, 'vi-phone-settings')
	expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width)
	expect(w.problems).toEqual([])
	expect(violations).toEqual([])
})
