// What the safety layer remembers about each toy session: whether the toy has said it is an AI,
// and which break reminder period was last announced. Keyed by device and session start, which a
// resumed session keeps, so a reconnect does not repeat the introduction. Bounded: the oldest
// sessions are forgotten first (at worst a toy introduces itself once more).

export interface SessionMark {
	introduced: boolean
	remindedPeriod: number
}

export class SessionMarks {
	private readonly marks = new Map<string, SessionMark>()

	constructor(private readonly maxEntries = 10_000) {}

	get(deviceId: string, startedAt: number): SessionMark {
		const key = `${deviceId}\u0000${startedAt}`
		let mark = this.marks.get(key)
		if (mark) {
			this.marks.delete(key)
		} else {
			mark = { introduced: false, remindedPeriod: 0 }
		}
		this.marks.set(key, mark)
		while (this.marks.size > this.maxEntries) {
			const oldest = this.marks.keys().next().value
			if (oldest === undefined) break
			this.marks.delete(oldest)
		}
		return mark
	}
}
