/**
 * Small readers for JSON that came from outside (a caller's callback, a user's override, a
 * provider's answer). Only own properties count: a key like `constructor` or `toString` must
 * never reach Object.prototype.
 */

export type JsonObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is JsonObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function hasOwn(object: object, key: string): boolean {
	return Object.prototype.hasOwnProperty.call(object, key);
}

/** The value a map holds for `key` as its own entry, or undefined (never an inherited member). */
export function lookup<T>(map: Readonly<Record<string, T>>, key: string): T | undefined {
	return hasOwn(map, key) ? map[key] : undefined;
}

/** How deeply objects and arrays nest in `value` (0 for a primitive); stops counting past `limit`. */
export function nestingDepth(value: unknown, limit: number): number {
	let depth = 0;
	let level: unknown[] = [value];
	// Level by level, not recursively: a hostile value must not exhaust the stack.
	while (depth <= limit) {
		const containers = level.filter((each): each is object => typeof each === 'object' && each !== null);
		if (containers.length === 0) break;
		depth++;
		level = containers.flatMap((container) => Object.values(container));
	}
	return depth;
}
