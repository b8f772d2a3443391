// Child helplines by ISO 3166-1 country code, named in the crisis reply (fixed-lines.ts). Every
// number here was read in a published source on `checked`; a country whose number could not be
// confirmed is left out (the reply then falls back to "tell a grown-up", and the Child Helpline
// International directory for the parent). Re-check the table at least twice a year: numbers
// change (India is folding 1098 into 112; Russia added the short number 124 in 2021).
// docs/safety.md lists the countries that are missing and why.

import type { CrisisKind } from '../store/safety'
import type { Language } from './normalize'

export interface HelplineNumber {
	/** What the service calls itself, said when the child speaks one of `languages`. */
	name: string
	/** As published, e.g. "0800 1111"; spoken digit by digit. */
	number: string
	/** A child line, a crisis/suicide line, a medical emergency or a general emergency number. */
	what: 'child' | 'crisis' | 'medical' | 'emergency'
	/** Disclosures this line is named for; absent: all. */
	for?: readonly CrisisKind[]
	/** Free to call, as the source says. Unknown → false: the reply then does not say "it's free". */
	free: boolean
}

export interface Helpline {
	/** Languages the service answers in, of those the toy speaks (others use a generic name). */
	languages: readonly Language[]
	lines: readonly HelplineNumber[]
	hours: string
	sources: readonly string[]
	/** When the sources were read for this table (YYYY-MM-DD). */
	checked: string
}

const CHECKED = '2026-12-03'

export const HELPLINES: Readonly<Record<string, Helpline>> = {
	US: {
		languages: ['en', 'es'],
		lines: [
			{ name: 'the Suicide and Crisis Lifeline', number: '988', what: 'crisis', for: ['self_harm'], free: true },
			{ name: 'Childhelp', number: '1-800-422-4453', what: 'child', for: ['abuse', 'danger'], free: true },
		],
		hours: '24/7 (988 by call or text; Childhelp by call, text or chat)',
		sources: [
			'https://www.nationwidechildrens.org/family-resources-education/700childrens/2023/08/the-988-suicide-and-crisis-lifeline',
			'https://contactlistens.org/get-help/',
			'https://thehopeline.com/reportabuse',
		],
		checked: CHECKED,
	},
	GB: {
		languages: ['en'],
		lines: [{ name: 'Childline', number: '0800 1111', what: 'child', free: true }],
		hours: '24/7, under 19s',
		sources: ['https://www.nspcc.org.uk/what-is-child-abuse/', 'https://learning.nspcc.org.uk/services/childline'],
		checked: CHECKED,
	},
	CA: {
		languages: ['en'],
		lines: [{ name: 'Kids Help Phone', number: '1-800-668-6868', what: 'child', free: true }],
		hours: '24/7, English and French; text 686868',
		sources: ['https://www.cbc.ca/news/health/mental-health-crisis-text-kids-help-phone-1.4894118', 'https://kidshelpphone.ca/get-involved/about-us/who-is-kids-help-phone/'],
		checked: CHECKED,
	},
	AU: {
		languages: ['en'],
		lines: [{ name: 'Kids Helpline', number: '1800 55 1800', what: 'child', free: true }],
		hours: '24/7, ages 5 to 25',
		sources: ['https://www.openaustralia.org.au/debates/?id=2023-03-20.209.2', 'https://www.copmi.net.au/resources/national-kids-helpline/'],
		checked: CHECKED,
	},
	IE: {
		languages: ['en'],
		lines: [{ name: 'Childline', number: '1800 66 66 66', what: 'child', free: true }],
		hours: '24/7, under 18s; text 50101',
		sources: ['https://www.independent.ie/regionals/corkman/news/sharp-increase-in-contacts-to-childline-over-christmas-41197253.html'],
		checked: CHECKED,
	},
	VN: {
		languages: ['vi'],
		lines: [
			{ name: 'Tổng đài quốc gia bảo vệ trẻ em', number: '111', what: 'child', free: true },
			{ name: 'cấp cứu', number: '115', what: 'medical', for: ['self_harm', 'danger'], free: false },
		],
		hours: '111: 24/7, free (Decree 56/2017); 115: medical emergency',
		sources: [
			'https://en.nhandan.vn/111-set-to-be-national-hotline-for-child-protection-post54237.html',
			'https://www.vietnam.vn/en/tong-dai-111-xu-ly-thong-tin-thong-bao-to-giac-nguy-co-hanh-vi-xam-hai-tre-em',
			'https://kienthucykhoa.edu.vn/113-la-so-dien-thoai-gi/',
		],
		checked: CHECKED,
	},
	SA: {
		languages: ['ar'],
		lines: [{ name: 'خط مساندة الطفل', number: '116111', what: 'child', free: true }],
		hours: 'not confirmed (12 h a day, 5 days a week at launch in 2010); toll-free, under 18s',
		sources: ['https://ksaplayers.com/Ksahome/NewsDetial/?nid=31847299', 'https://lifeinsaudiarabia.net/procedure-to-report-child-abuse-to/'],
		checked: CHECKED,
	},
	AE: {
		languages: ['ar'],
		lines: [
			{ name: 'مركز حماية الطفل', number: '116111', what: 'child', free: true },
			{ name: 'الطوارئ', number: '999', what: 'emergency', for: ['danger'], free: false },
		],
		hours: 'not confirmed; Ministry of Interior Child Protection Centre, toll-free; emergencies 999',
		sources: [
			'https://www.adpolice.gov.ae/en/Media-Center/News/2021/06/17/The-Hotline--a-Safety-Net-to-Protect-Children',
			'https://pledgetimes.com/the-ministry-of-interior-allows-children-to-report-cases-of-abuse-against-them/',
		],
		checked: CHECKED,
	},
	EG: {
		languages: ['ar'],
		lines: [{ name: 'خط نجدة الطفل', number: '16000', what: 'child', free: true }],
		hours: '24/7, toll-free (NCCM)',
		sources: ['https://dailynewsegypt.com/2010/09/20/family-and-population-ministry-improve-hotlines-as-demand-for-their-services-rise', 'https://www.masress.com/elfagr/3527402'],
		checked: CHECKED,
	},
	RU: {
		languages: ['ru'],
		lines: [{ name: 'Детский телефон доверия', number: '8-800-2000-122', what: 'child', free: true }],
		hours: 'free and anonymous; round the clock in most regions (71 of 85 in 2022); short number 124 from mobiles',
		sources: [
			'https://sosh9-nowch.edu21.cap.ru/news/2023/05/16/17-maya-v-rossii-otmechaetsya-mezhdunarodnij-denj-detskogo-telefona-doveriya/?id=e1b70582-9929-4869-ae21-633ae3708e64',
			'https://tatishhevskij-r64.gosweb.gosuslugi.ru/dlya-zhiteley/novosti-i-reportazhi/novosti_222.html',
		],
		checked: CHECKED,
	},
	ES: {
		languages: ['es'],
		lines: [{ name: 'el Teléfono ANAR', number: '900 20 20 10', what: 'child', free: true }],
		hours: '24/7, free and confidential',
		sources: ['https://www.adeces.org/anar-el-esfuerzo-por-proteger-los-derechos-de-nins-y-adolescentes/', 'https://anar.org/el-presidente-de-unicef-de-visita-en-la-sede-de-anar'],
		checked: CHECKED,
	},
	MX: {
		languages: ['es'],
		lines: [
			{ name: 'la Línea de la Vida', number: '800 911 2000', what: 'crisis', for: ['self_harm'], free: true },
			{ name: 'emergencias', number: '911', what: 'emergency', for: ['abuse', 'danger'], free: false },
		],
		hours: 'Línea de la Vida 24/7, free (mental health and suicide, CONASAMA); 911 emergencies. No national child line was confirmed.',
		sources: [
			'https://www.eluniversal.com.mx/nacion/promueven-la-linea-de-la-vida-tras-presentar-encuesta-sobre-consumo-de-drogas-asi-puedes-pedir-ayuda/',
			'https://zamudionoticias.mx/?p=17586',
		],
		checked: CHECKED,
	},
	AR: {
		languages: ['es'],
		lines: [{ name: 'la Línea 102', number: '102', what: 'child', free: true }],
		hours: 'free and confidential, in every province (hours set by each province); not an emergency line: 911',
		sources: ['https://www.diariodecuyo.com.ar/editorialdeldia/Proteccion-de-menores-ante-casos-de-abusos-o-violencia-20220813-0112.html', 'https://datapba.com/2023/01/26/en-2022-se-registraron-57-llamadas-por-dia-para-alertar-sobre-situaciones-de-maltrato-infantil'],
		checked: CHECKED,
	},
	CO: {
		languages: ['es'],
		lines: [{ name: 'la Línea 141 del ICBF', number: '141', what: 'child', free: true }],
		hours: '24/7, free',
		sources: ['https://www.elespectador.com/noticias/nacional/maltrato-abuso-sexual-y-trabajo-infantil-ahora-se-puede-articulo-669056', 'https://www.policia.gov.co/noticia/telefono-que-escucha-voces-ninos'],
		checked: CHECKED,
	},
	CN: {
		languages: ['zh'],
		lines: [{ name: '12355青少年服务台', number: '12355', what: 'child', free: false }],
		hours: 'run by each province (24 h in Guangdong); psychological and legal help for young people',
		sources: [
			'https://www.tellerreport.com/news/2021-05-12-12355--a-heart-warming-hotline-that-has-been-running-for-15-years--focusing-on-solving-the-problems-of-youth-growth.ryv6LEtOu.html',
			'http://www.gx.chinanews.com/sh/2023-04-26/detail-ihcnvyrk7961341.shtml',
		],
		checked: CHECKED,
	},
	TW: {
		languages: ['zh'],
		lines: [{ name: '113保护专线', number: '113', what: 'child', free: true }],
		hours: '24/7, free; Mandarin, Taiwanese, English, Vietnamese, Thai, Indonesian, Japanese',
		sources: ['https://udn.com/news/story/7266/9329707', 'https://setn.settv-it.com/News.aspx?NewsID=320881'],
		checked: CHECKED,
	},
	HK: {
		languages: ['zh', 'en'],
		lines: [
			{ name: 'Against Child Abuse', number: '2755 1122', what: 'child', free: false },
			{ name: 'Social Welfare Department hotline', number: '2343 2255', what: 'child', free: false },
		],
		hours: 'not confirmed',
		sources: [
			'https://yp.scmp.com/news/hong-kong/article/107867/child-abuse-cases-increasing-hong-kong-says-children%E2%80%99s-right-group',
			'https://www.doj.gov.hk/childabduct/en/related-information/abduct_riwelfare.html',
		],
		checked: CHECKED,
	},
	SG: {
		languages: ['en'],
		lines: [{ name: 'Tinkle Friend', number: '1800 274 4788', what: 'child', free: true }],
		hours: 'weekday afternoons, not 24/7 (primary-school children; Singapore Children’s Society)',
		sources: ['https://www.childrensociety.org.sg/breaking-barriers-for-children-to-seek-help', 'https://www.childrensociety.org.sg/sunbeam-stories/tinkle-friend-answering-the-call-for-help/'],
		checked: CHECKED,
	},
	FR: {
		languages: [],
		lines: [{ name: '119, Allô Enfance en Danger', number: '119', what: 'child', free: true }],
		hours: '24/7, free, not shown on phone bills; serious danger: 112',
		sources: ['https://madinin-art.net/119-allo-enfance-en-danger-un-numero-pour-les-situations-durgence', 'https://france3-regions.francetvinfo.fr/paris-ile-de-france/2015/01/28/enfance-en-danger-en-25-ans-le-119-triple-son-nombre-d-appels-642429.html'],
		checked: CHECKED,
	},
	DE: {
		languages: [],
		lines: [{ name: 'Nummer gegen Kummer', number: '116 111', what: 'child', free: true }],
		hours: 'Monday to Saturday 14:00-20:00, free and anonymous',
		sources: ['https://www.sozialspende.de/projekt/id/1203', 'https://www.bmfsfj.de/bmfsfj/mediathek/anrufen-mailen-chatten-gegen-sorgen-154556'],
		checked: CHECKED,
	},
	IN: {
		languages: ['en'],
		lines: [{ name: 'Childline', number: '1098', what: 'child', free: true }],
		hours: '24/7, free (being integrated with the 112 emergency system)',
		sources: ['https://www.childlineindia.org/a/about/childline-india', 'https://ekaurtadka.com/emergency-assistance-child-helpline-number-1098-replaced-by-112'],
		checked: CHECKED,
	},
}

/** When the child's country is unknown: no number is guessed; the parent can look one up here. */
export const FALLBACK = {
	name: 'Child Helpline International',
	directory: 'https://childhelplineinternational.org/helplines/',
	sources: ['https://docslib.org/doc/8525713/intensifying-the-global-partnership-between-child-helpline-international-and-plan-international'],
	checked: CHECKED,
} as const

/** The country's lines for this disclosure (at most two), or none when the country is not in the table. */
export function helplinesFor(country: string | null | undefined, kind: CrisisKind): { helpline: Helpline; lines: HelplineNumber[] } | undefined {
	const helpline = country ? HELPLINES[country.toUpperCase()] : undefined
	if (!helpline) return undefined
	const lines = helpline.lines.filter((l) => !l.for || l.for.includes(kind)).slice(0, 2)
	return { helpline, lines: lines.length > 0 ? lines : helpline.lines.slice(0, 1) }
}

/** "0800 1111" → "0 8 0 0, 1 1 1 1": a child (and any TTS voice) says a number digit by digit. */
export function spokenNumber(number: string): string {
	return number
		.split(/[\s-]+/)
		.filter(Boolean)
		.map((group) => group.split('').join(' '))
		.join(', ')
}
