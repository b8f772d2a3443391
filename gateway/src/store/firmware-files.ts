import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

// Firmware image bytes on disk: FIRMWARE_DIR/<model>/<version>.bin (metadata in store/firmware.ts).
// Written to a temporary name and renamed, so a half-written image is never served.

export class FirmwareFiles {
	constructor(private readonly dir: string) {}

	path(model: string, version: string): string {
		// ! model and version are checked against strict patterns before they get here (no "/" or "..")
		return join(this.dir, model, `${version}.bin`)
	}

	async write(model: string, version: string, bytes: Uint8Array): Promise<void> {
		const dir = join(this.dir, model)
		await mkdir(dir, { recursive: true, mode: 0o700 })
		const tmp = join(dir, `.${version}.${crypto.randomUUID()}.tmp`)
		await writeFile(tmp, bytes, { mode: 0o600 })
		await rename(tmp, this.path(model, version))
	}

	async remove(model: string, version: string): Promise<void> {
		await rm(this.path(model, version), { force: true })
	}

	file(model: string, version: string): ReturnType<typeof Bun.file> {
		return Bun.file(this.path(model, version))
	}
}
