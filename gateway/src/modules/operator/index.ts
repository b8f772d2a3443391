import { Elysia, t } from 'elysia'
import type { EpisodeRow, SeasonRow } from '../../store/programme-admin'
import type { AccessGuard } from '../access'
import { ErrorBody, IdParams, SIGNED_IN } from '../access/model'
import { alertBody } from '../alerts'
import { Alert } from '../alerts/model'
import {
	Connections,
	DeviceAction,
	DeviceParams,
	Episode,
	EpisodePatch,
	NewEpisode,
	NewSeason,
	NumericId,
	Programme,
	Reason,
	Season,
	SeasonPatch,
} from './model'
import type { OperatorService } from './service'

const episodeBody = (e: EpisodeRow) => ({
	id: e.id,
	season_id: e.seasonId,
	position: e.position,
	title: e.title,
	lesson_goal: e.lessonGoal,
	turns_to_complete: e.turnsToComplete,
})
const seasonBody = (s: SeasonRow) => ({
	id: s.id,
	position: s.position,
	title: s.title,
	min_age: s.minAge,
	max_age: s.maxAge,
	episodes: s.episodes.map(episodeBody),
})

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody }
const Ok = t.Object({ deleted: t.Literal(true) })

export function operatorModule(deps: { service: OperatorService; access: AccessGuard }) {
	const { service } = deps
	const doc = (summary: string, description?: string) => ({ summary, description, ...SIGNED_IN })
	return new Elysia({ name: 'Operator', detail: { tags: ['operator'] } })
		.use(deps.access)
		.get('/api/v1/operator/programme', async () => ({ seasons: (await service.programme()).map(seasonBody) }), {
			operator: true,
			response: { 200: Programme, ...errors },
			detail: doc('The learning programme: seasons and their episodes'),
		})
		.post(
			'/api/v1/operator/seasons',
			async ({ operator, body, status }) =>
				status(201, seasonBody(await service.createSeason(operator, { position: body.position, title: body.title, minAge: body.min_age, maxAge: body.max_age }))),
			{ operator: true, body: NewSeason, response: { 201: Season, ...errors }, detail: doc('Add a season') },
		)
		.patch(
			'/api/v1/operator/seasons/:id',
			async ({ operator, params, body }) =>
				seasonBody(await service.updateSeason(operator, params.id, { position: body.position, title: body.title, minAge: body.min_age, maxAge: body.max_age })),
			{ operator: true, params: NumericId, body: SeasonPatch, response: { 200: Season, ...errors }, detail: doc('Change a season') },
		)
		.delete(
			'/api/v1/operator/seasons/:id',
			async ({ operator, params }) => {
				await service.deleteSeason(operator, params.id)
				return { deleted: true as const }
			},
			{ operator: true, params: NumericId, response: { 200: Ok, ...errors }, detail: doc('Delete a season and its episodes', '409 while children are on one of its episodes.') },
		)
		.post(
			'/api/v1/operator/episodes',
			async ({ operator, body, status }) =>
				status(
					201,
					episodeBody(
						await service.createEpisode(operator, {
							seasonId: body.season_id,
							position: body.position,
							title: body.title,
							lessonGoal: body.lesson_goal,
							turnsToComplete: body.turns_to_complete,
						}),
					),
				),
			{ operator: true, body: NewEpisode, response: { 201: Episode, ...errors }, detail: doc('Add an episode') },
		)
		.patch(
			'/api/v1/operator/episodes/:id',
			async ({ operator, params, body }) =>
				episodeBody(
					await service.updateEpisode(operator, params.id, {
						position: body.position,
						title: body.title,
						lessonGoal: body.lesson_goal,
						turnsToComplete: body.turns_to_complete,
					}),
				),
			{ operator: true, params: NumericId, body: EpisodePatch, response: { 200: Episode, ...errors }, detail: doc('Change an episode') },
		)
		.delete(
			'/api/v1/operator/episodes/:id',
			async ({ operator, params }) => {
				await service.deleteEpisode(operator, params.id)
				return { deleted: true as const }
			},
			{ operator: true, params: NumericId, response: { 200: Ok, ...errors }, detail: doc('Delete an episode', '409 while children are on it.') },
		)
		.get(
			'/api/v1/operator/connections',
			() => ({
				node_only: true as const,
				connections: deps.service.connections().map((c) => ({
					device_id: c.deviceId,
					protocol: c.protocol,
					ip: c.ip,
					connected_at: new Date(c.connectedAt).toISOString(),
					last_frame_at: new Date(c.lastFrameAt).toISOString(),
				})),
			}),
			{ operator: true, response: { 200: Connections, ...errors }, detail: doc('Toys connected to this gateway now') },
		)
		.post(
			'/api/v1/operator/devices/:id/disconnect',
			async ({ operator, params, body }) => ({
				device_id: params.id,
				disconnected: await service.disconnect(operator, params.id, body.reason),
				revoked: false,
			}),
			{ operator: true, params: DeviceParams, body: Reason, response: { 200: DeviceAction, ...errors }, detail: doc('Close a toy’s connection (it may reconnect: 1012)') },
		)
		.post(
			'/api/v1/operator/devices/:id/revoke',
			async ({ operator, params, body }) => ({
				device_id: params.id,
				disconnected: await service.revoke(operator, params.id, body.reason),
				revoked: true,
			}),
			{
				operator: true,
				params: DeviceParams,
				body: Reason,
				response: { 200: DeviceAction, ...errors },
				detail: doc('Revoke a toy', 'Its tokens stop working, it is unpaired, its connection is closed with 4403, and it is refused from now on.'),
			},
		)
		.get('/api/v1/operator/alerts/:id', async ({ operator, params, query }) => alertBody(await service.reviewAlert(operator, params.id, query.reason)), {
			operator: true,
			params: IdParams,
			query: Reason,
			response: { 200: Alert, ...errors },
			detail: doc('Review a crisis alert (audited with the reason)', 'The only operator route that shows a child’s words; the family sees the access in its audit log.'),
		})
}
