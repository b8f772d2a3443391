// What the running gateway keeps in memory about a child: the safety layer's cached context
// (memory summary, lesson, usage) and the parked context of a toy that just disconnected
// (recent history, the child's own words). Deleting a child's data must reach both; the parent
// side calls this after the rows are gone, with the toys that were paired to the child.

export interface ChildCaches {
	forget(childId: string, deviceIds: readonly string[]): void
}
