// Command-line options of the benches, read the same way everywhere.

/** `--name N` as a positive whole number, or `fallback` when absent; anything else throws. */
export function wholeArg(name: string, fallback: number): number {
	const i = process.argv.indexOf(`--${name}`)
	const v = i > 0 ? Number(process.argv[i + 1]) : fallback
	if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} wants a positive whole number`)
	return v
}
