// A few lines instead of a view library: h() builds an element. Text always goes in as text nodes,
// so what a child said can never become markup.

export type Kid = Node | string | number | null | undefined | false | Kid[]
type Attrs = Record<string, unknown>

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...kids: Kid[]): HTMLElementTagNameMap[K] {
	const el = document.createElement(tag)
	for (const [k, v] of Object.entries(attrs ?? {})) {
		if (v === undefined || v === null || v === false) continue
		if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v as EventListener)
		else if (k === 'class') el.className = String(v)
		else if (k === 'value' && 'value' in el) (el as HTMLInputElement).value = String(v)
		else if (k === 'checked' && el instanceof HTMLInputElement) el.checked = Boolean(v)
		else el.setAttribute(k, v === true ? '' : String(v))
	}
	append(el, kids)
	return el
}

function append(el: Node, kids: Kid[]): void {
	for (const k of kids) {
		if (k === null || k === undefined || k === false) continue
		if (Array.isArray(k)) append(el, k)
		else el.appendChild(typeof k === 'string' || typeof k === 'number' ? document.createTextNode(String(k)) : k)
	}
}

let seq = 0
/** A unique id, for label/for and aria-describedby pairs. */
export const uid = (p: string) => `${p}-${++seq}`

/** A labelled input: the label above, the hint and the error tied to it for screen readers. */
export function field(label: string, input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, hint?: string): HTMLElement {
	if (!input.id) input.id = uid('f')
	const hintEl = hint ? h('p', { class: 'hint', id: `${input.id}-hint` }, hint) : null
	if (hintEl) input.setAttribute('aria-describedby', hintEl.id)
	return h('div', { class: 'field' }, h('label', { for: input.id }, label), hintEl, input)
}

export function formData(form: HTMLFormElement): Record<string, string> {
	const out: Record<string, string> = {}
	for (const [k, v] of new FormData(form).entries()) out[k] = String(v)
	return out
}
