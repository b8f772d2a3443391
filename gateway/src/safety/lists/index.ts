// Every language's local lists, by language code.
import type { Language } from '../normalize'
import { ar } from './ar'
import { en } from './en'
import { es } from './es'
import { ru } from './ru'
import type { LanguageLists } from './types'
import { vi } from './vi'
import { zh } from './zh'

export const LISTS: Record<Language, LanguageLists> = { en, ar, vi, ru, es, zh }
export type { LanguageLists }
