import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

// DATA_DIR holds children's data (the embedded database), the generated fleet secret and the
// encryption key. It is made 0700 and everything already in it loses group and other access (a
// directory left open by an older version, or restored from a backup); what is created later is
// private through the process umask (main.ts).

export function secureDataDir(dir: string): void {
	mkdirSync(dir, { recursive: true, mode: 0o700 })
	chmodSync(dir, 0o700)
	closeTree(dir)
}

function closeTree(dir: string): void {
	for (const name of readdirSync(dir)) {
		const path = join(dir, name)
		const s = lstatSync(path)
		// ! A link is never followed: it could point anywhere on the machine.
		if (s.isSymbolicLink()) continue
		if (s.mode & 0o077) chmodSync(path, s.mode & 0o700)
		if (s.isDirectory()) closeTree(path)
	}
}
