// A load-generator process: drives its share of the fleet, talks to the orchestrator over IPC.
//   spawned by bench/fleet/run.ts; not meant to be run by hand.

import { ToyFleet } from './fleet'
import type { ParentToWorker, WorkerToParent } from './types'

let fleet: ToyFleet | undefined
let progress: ReturnType<typeof setInterval> | undefined

function send(msg: WorkerToParent): void {
	process.send?.(msg)
}

process.on('message', async (msg: ParentToWorker) => {
	if (msg.type === 'start') {
		fleet = new ToyFleet(msg.plan)
		const { held, failed } = await fleet.connectAll()
		send({ type: 'connected', held, failed })
		fleet.start()
		progress = setInterval(() => send({ type: 'held', held: fleet?.held ?? 0 }), 1000)
	} else if (msg.type === 'stop') {
		clearInterval(progress)
		const result = fleet ? await fleet.stop() : undefined
		if (result) send({ type: 'result', result })
		// Let the IPC message flush before exiting.
		setTimeout(() => process.exit(0), 200)
	}
})
