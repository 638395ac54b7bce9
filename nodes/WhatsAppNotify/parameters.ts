/**
 * The node's parameters as one batch reads them. A parameter with no expression in it has the
 * same value for every item, so it is read from n8n once per batch; one with an expression is
 * read for each item, as n8n evaluates it against that item. Every read from n8n costs (a
 * data proxy, defaults, validation; an expression engine call for expressions), and a batch
 * has thousands of items.
 */

import type { IExecuteFunctions, NodeParameterValueType } from 'n8n-workflow';

/** Reads a parameter (a dotted path, as n8n's getNodeParameter takes) for one item. */
export type ReadParameter = (name: string, itemIndex: number, fallback?: unknown) => unknown;

/** Whether a stored parameter value holds an expression anywhere (n8n marks them with a leading `=`). */
function holdsExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(holdsExpression);
	if (typeof value === 'object' && value !== null) return Object.values(value).some(holdsExpression);
	return false;
}

/** The value the workflow stores at a dotted path (before n8n applies defaults or evaluates it). */
function storedValue(parameters: unknown, name: string): unknown {
	let value = parameters;
	for (const key of name.split('.')) {
		if (typeof value !== 'object' || value === null) return undefined;
		value = (value as Record<string, unknown>)[key];
	}
	return value;
}

export function batchParameters(context: IExecuteFunctions): ReadParameter {
	const { parameters } = context.getNode();
	const constant = new Map<string, unknown>();
	return (name, itemIndex, fallback) => {
		if (constant.has(name)) return constant.get(name);
		const value =
			fallback === undefined
				? context.getNodeParameter(name, itemIndex)
				: context.getNodeParameter(name, itemIndex, fallback as NodeParameterValueType);
		if (!holdsExpression(storedValue(parameters, name))) constant.set(name, value);
		return value;
	};
}
