import { ApiError } from './api'
import { h, type Kid } from './dom'
import { type Key, t } from './i18n'

// Pieces every page uses: the heading, messages announced to screen readers, forms that show
// their errors, and the confirmation dialog before anything is deleted.

export function heading(text: string): HTMLHeadingElement {
	// ? tabindex -1: the router moves focus here after each navigation, for keyboard and screen-reader users.
	return h('h1', { tabindex: '-1' }, text)
}

export function notice(kind: 'ok' | 'error' | 'info', text: string, id?: string): HTMLElement {
	return h('p', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status', id }, text)
}

export function errorText(e: unknown): string {
	if (e instanceof ApiError) {
		const key = `err.${e.code}` as Key
		const s = t(key)
		return s === key ? `${t('err.generic')} (${e.code})` : s
	}
	return t('err.network')
}

/** Wires a form: on submit the button waits, errors show in the form's live region. */
export function onSubmit(form: HTMLFormElement, run: (data: Record<string, string>) => Promise<void>): HTMLFormElement {
	const status = h('div', { class: 'form-status', 'aria-live': 'polite' })
	form.appendChild(status)
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault()
		const button = form.querySelector<HTMLButtonElement>('button[type=submit]')
		status.replaceChildren()
		if (button) button.disabled = true
		try {
			const data: Record<string, string> = {}
			for (const [k, v] of new FormData(form).entries()) data[k] = String(v)
			await run(data)
		} catch (e) {
			status.replaceChildren(notice('error', errorText(e)))
		} finally {
			if (button) button.disabled = false
		}
	})
	return form
}

export function button(label: string, onclick: () => void, cls = '', attrs: Record<string, unknown> = {}): HTMLButtonElement {
	return h('button', { type: 'button', class: cls, onclick, ...attrs }, label)
}

export function section(title: string, ...kids: Kid[]): HTMLElement {
	return h('section', { class: 'card' }, h('h2', null, title), ...kids)
}

export interface ConfirmOptions {
	title: string
	/** Exactly what will be deleted, one line each. */
	items: string[]
	confirm: string
	/** Ask for the password again; the promise then resolves to it. */
	password?: boolean
}

/** A modal dialog that says exactly what goes; resolves to true (or the password) or null. */
export function confirmDialog(o: ConfirmOptions): Promise<string | true | null> {
	return new Promise((resolve) => {
		const pw = o.password ? h('input', { type: 'password', id: 'confirm-password', name: 'password', autocomplete: 'current-password', required: true }) : null
		const form = h(
			'form',
			{ method: 'dialog' },
			h('h2', { id: 'confirm-title' }, o.title),
			h('p', null, t('confirm.intro')),
			h('ul', { class: 'goes' }, o.items.map((i) => h('li', null, i))),
			h('p', null, t('confirm.final')),
			pw ? h('div', { class: 'field' }, h('label', { for: pw.id }, t('account.password')), pw) : null,
			h(
				'div',
				{ class: 'row' },
				h('button', { type: 'submit', class: 'danger', id: 'confirm-yes' }, o.confirm),
				h('button', { type: 'button', id: 'confirm-no', onclick: () => dialog.close('') }, t('confirm.cancel')),
			),
		)
		const dialog = h('dialog', { 'aria-labelledby': 'confirm-title' }, form)
		form.addEventListener('submit', (ev) => {
			ev.preventDefault()
			if (pw && !pw.value) return pw.focus()
			dialog.close('yes')
		})
		dialog.addEventListener('close', () => {
			const yes = dialog.returnValue === 'yes'
			dialog.remove()
			resolve(yes ? (pw ? pw.value : true) : null)
		})
		document.body.appendChild(dialog)
		dialog.showModal()
		;(pw ?? dialog.querySelector<HTMLButtonElement>('#confirm-no'))?.focus()
	})
}
