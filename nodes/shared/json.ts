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
	let deepest = 0;
	let level: unknown[] = [value];
	// Level by level, not recursively: a hostile value must not exhaust the stack.
	while (level.length > 0 && deepest <= limit) {
		const next: unknown[] = [];
		for (const each of level) {
			if (typeof each === 'object' && each !== null) next.push(...Object.values(each));
		}
		if (next.length === 0 && !level.some((each) => typeof each === 'object' && each !== null)) break;
		deepest++;
		level = next;
	}
	return deepest;
}
