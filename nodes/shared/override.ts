/**
 * The user's JSON override: deep-merged into the provider's request body as
 * the last word. `null` removes a field; arrays replace, never concatenate.
 * A `_config` object inside it replaces credential settings for one message.
 */

import { hasOwn, isPlainObject, type JsonObject, nestingDepth } from './json';
import type { Provider, ProviderSettings } from './types';

/** Far deeper than any WhatsApp request body; deeper overrides are refused before anything is sent. */
const MAX_OVERRIDE_DEPTH = 32;

export function deepMerge(base: JsonObject, override: JsonObject): JsonObject {
	const merged: JsonObject = { ...base };
	for (const [key, value] of Object.entries(override)) {
		if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
		if (value === null) {
			delete merged[key];
		} else if (isPlainObject(value) && isPlainObject(merged[key])) {
			merged[key] = deepMerge(merged[key] as JsonObject, value);
		} else {
			merged[key] = value;
		}
	}
	return merged;
}

export interface SplitOverride {
	body: JsonObject;
	config: JsonObject;
}

/** Separates `_config` (credential settings) from the body override. */
export function splitOverride(override: JsonObject): SplitOverride {
	const { _config: config, ...body } = override;
	assertReasonableDepth(body);
	if (config !== undefined && !isPlainObject(config)) {
		throw new Error('"_config" must be an object, for example {"_config": {"fromNumber": "+15550001111"}}');
	}
	return { body, config: (config as JsonObject | undefined) ?? {} };
}

/**
 * Applies `_config` to the credential's settings. Only the fields a provider
 * allows may change; a secret never can, so a workflow cannot exfiltrate or
 * swap one through an expression.
 */
export function applyConfig(
	settings: ProviderSettings,
	config: JsonObject,
	rules: Pick<Provider, 'configurableSettings' | 'exclusiveSettings'>,
): ProviderSettings {
	const shapes = rules.configurableSettings;
	const applied: ProviderSettings = { ...settings };
	// Setting one of a group of alternatives (Twilio's From Number or Messaging Service) drops the others.
	for (const group of rules.exclusiveSettings ?? []) {
		const chosen = group.filter((key) => hasOwn(config, key));
		if (chosen.length > 0) for (const key of group) if (!chosen.includes(key)) delete applied[key];
	}
	for (const [key, value] of Object.entries(config)) {
		if (!hasOwn(shapes, key)) {
			throw new Error(`"_config.${key}" cannot be overridden; allowed: ${Object.keys(shapes).join(', ')}`);
		}
		if (typeof value !== 'string' && typeof value !== 'number') {
			throw new Error(`"_config.${key}" must be a string`);
		}
		// The value goes into a URL path or a sender field: only the provider's id shape passes.
		const text = String(value);
		if (!shapes[key].test(text)) {
			throw new Error(`"_config.${key}" is ${JSON.stringify(text).slice(0, 80)}, which is not a valid ${key}`);
		}
		applied[key] = text;
	}
	return applied;
}

/**
 * Refuses an override that sets or removes a field carrying the recipient: the recipient is
 * the validated Recipient parameter, and the output must report what was really sent.
 */
export function assertRecipientUntouched(override: JsonObject, recipientFields: ReadonlyArray<readonly string[]>): void {
	for (const field of recipientFields) {
		let level: unknown = override;
		for (let depth = 0; depth < field.length && isPlainObject(level) && hasOwn(level, field[depth]); depth++) {
			const value = level[field[depth]];
			// Reaching the field itself, or removing (null) or replacing (non-object) a level above it.
			if (depth === field.length - 1 || !isPlainObject(value)) {
				throw new Error(`the override may not set "${field.slice(0, depth + 1).join('.')}": the recipient comes from the Recipient field`);
			}
			level = value;
		}
	}
}

/** Refuses an override nested so deeply that building or sending it could fail halfway. */
function assertReasonableDepth(override: JsonObject): void {
	if (nestingDepth(override, MAX_OVERRIDE_DEPTH) > MAX_OVERRIDE_DEPTH) {
		throw new Error(`the override nests deeper than ${MAX_OVERRIDE_DEPTH} levels`);
	}
}

/** Parses the node's JSON parameter, which n8n hands over as a string or an object. */
export function parseOverride(value: unknown): JsonObject {
	if (value === undefined || value === null || value === '') return {};
	const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
	if (!isPlainObject(parsed)) throw new Error('the override must be a JSON object, like {"key": "value"}');
	return parsed;
}
