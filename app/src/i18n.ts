import { ar } from './strings/ar'
import { en, type Strings } from './strings/en'
import { vi } from './strings/vi'

// The parent picks the language (kept in localStorage: a preference, not a child's data); until
// then the browser's. Arabic turns the whole page right-to-left (dir="rtl"; the CSS uses logical
// properties only). Numbers and dates use Latin digits in every language, so the six-digit code a
// toy speaks looks the same on the page as on the toy's box and in the mails.

export const LANGUAGES = { en: 'English', ar: 'العربية', vi: 'Tiếng Việt' } as const
export type Lang = keyof typeof LANGUAGES
const TABLES: Record<Lang, Strings> = { en, ar, vi }
const KEY = 'teddy.lang'

function isLang(s: string | null | undefined): s is Lang {
	return !!s && s in TABLES
}

function initial(): Lang {
	const saved = localStorage.getItem(KEY)
	if (isLang(saved)) return saved
	for (const l of navigator.languages ?? [navigator.language]) {
		const base = l.toLowerCase().split('-')[0]
		if (isLang(base)) return base
	}
	return 'en'
}

let current: Lang = initial()

export const lang = () => current

export function setLang(l: Lang): void {
	current = l
	localStorage.setItem(KEY, l)
	applyLang()
}

export function applyLang(): void {
	document.documentElement.lang = current
	document.documentElement.dir = current === 'ar' ? 'rtl' : 'ltr'
}

export type Key = keyof Strings

export function t(key: Key, vars: Record<string, string | number> = {}): string {
	const s = TABLES[current][key] ?? en[key]
	return s.replace(/\{(\w+)\}/g, (_, v: string) => String(vars[v] ?? `{${v}}`))
}

const locale = () => `${current}-u-nu-latn`

export function fmtDateTime(iso: string): string {
	return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso))
}

export function fmtNumber(n: number, digits = 0): string {
	return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(n)
}
