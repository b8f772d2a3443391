import { t } from 'elysia'

export const Export = t.Object({
	format: t.Literal('teddy-export/1'),
	scope: t.Union([t.Literal('child'), t.Literal('family')]),
	exported_at: t.String({ format: 'date-time' }),
	tables: t.Record(t.String(), t.Array(t.Record(t.String(), t.Unknown())), {
		description: 'one array of rows per table, named after it; encrypted fields decrypted, secrets left out (docs/privacy.md)',
	}),
})

export const Deleted = t.Object({ deleted: t.Literal(true), disconnected: t.Integer({ description: 'live toys closed with 4403' }) })
export const DeleteAccountBody = t.Object({ password: t.String({ maxLength: 256, description: 'your password again' }) })

export const AuditQuery = t.Object({
	limit: t.Optional(t.Numeric({ minimum: 1, maximum: 200 })),
	before: t.Optional(t.String({ format: 'date-time' })),
})

export const AuditList = t.Object({
	entries: t.Array(
		t.Object({
			at: t.String({ format: 'date-time' }),
			actor_role: t.String(),
			by_you: t.Boolean(),
			action: t.String(),
			reason: t.Union([t.String(), t.Null()]),
		}),
	),
})
