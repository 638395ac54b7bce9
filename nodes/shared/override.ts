/**
 * The user's JSON override: deep-merged into the provider's request body as
 * the last word. `null` removes a field; arrays replace, never concatenate.
 * A `_config` object inside it replaces credential settings for one message.
 */

import type { Provider, ProviderSettings } from './types';

export type JsonObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is JsonObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

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
	const allowed = rules.configurableSettings;
	const applied: ProviderSettings = { ...settings };
	// Setting one of a group of alternatives (Twilio's From Number or Messaging Service) drops the others.
	for (const group of rules.exclusiveSettings ?? []) {
		const chosen = group.filter((key) => key in config);
		if (chosen.length > 0) for (const key of group) if (!chosen.includes(key)) delete applied[key];
	}
	for (const [key, value] of Object.entries(config)) {
		if (!allowed.includes(key)) {
			throw new Error(`"_config.${key}" cannot be overridden; allowed: ${allowed.join(', ')}`);
		}
		if (typeof value !== 'string' && typeof value !== 'number') {
			throw new Error(`"_config.${key}" must be a string`);
		}
		applied[key] = String(value);
	}
	return applied;
}

/** Parses the node's JSON parameter, which n8n hands over as a string or an object. */
export function parseOverride(value: unknown): JsonObject {
	if (value === undefined || value === null || value === '') return {};
	const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
	if (!isPlainObject(parsed)) throw new Error('the override must be a JSON object, like {"key": "value"}');
	return parsed;
}
