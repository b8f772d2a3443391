// Parent passwords: argon2id through Bun.password, with OWASP's minimum parameters (19 MiB, two
// passes): about 50 ms here, so a login costs little and a stolen hash costs a guesser the same.

const PARAMS = { algorithm: 'argon2id', memoryCost: 19_456, timeCost: 2 } as const

export const PASSWORD_MIN = 10
export const PASSWORD_MAX = 256

export class Passwords {
	// verified against when no account matches, so an unknown email costs the same time as a wrong
	// password and login timing does not tell which addresses have accounts
	private dummy: Promise<string> | undefined

	hash(password: string): Promise<string> {
		return Bun.password.hash(password, PARAMS)
	}

	async verify(password: string, hash: string): Promise<boolean> {
		try {
			return await Bun.password.verify(password, hash)
		} catch {
			return false
		}
	}

	async burn(password: string): Promise<void> {
		this.dummy ??= this.hash('teddy-no-such-account')
		await this.verify(password, await this.dummy)
	}
}
