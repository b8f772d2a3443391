// Regenerates the message-schema block of docs/protocol.md from the TypeBox schemas.
import { withSchemas } from '../gateway/src/ws/protocol-doc'

const path = `${import.meta.dir}/../docs/protocol.md`
await Bun.write(path, withSchemas(await Bun.file(path).text()))
console.log(`updated ${path}`)
