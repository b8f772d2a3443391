// Phrases and patterns a child might use to tell the toy about self-harm, abuse or danger, per
// language (the lists themselves are in lists/<language>.ts). They run on every turn, offline,
// before any model sees the words, so a disclosure is caught even when the moderation service is
// down or not configured. Erring towards an alert is deliberate: a parent reading one false alarm
// costs far less than a missed disclosure. See docs/safety.md.

import type { CrisisKind } from '../store/safety'
import { LISTS } from './lists'
import type { Language } from './normalize'

export const crisisKeywords: Record<Language, Record<CrisisKind, readonly string[]>> = {
	en: LISTS.en.crisis,
	ar: LISTS.ar.crisis,
	vi: LISTS.vi.crisis,
	ru: LISTS.ru.crisis,
	es: LISTS.es.crisis,
	zh: LISTS.zh.crisis,
}
