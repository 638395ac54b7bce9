'use strict';

/** Seeded mutation of provider payloads: what a hostile caller can put in a JSON body. */

/** A small, fast, seedable PRNG (mulberry32): the same seed gives the same bodies. */
function mulberry32(seed) {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function pick(random, list) {
	return list[Math.floor(random() * list.length)];
}

function deeplyNested(depth) {
	/** @type {unknown} */
	let value = 'bottom';
	for (let level = 0; level < depth; level++) value = { a: value };
	return value;
}

/** Values that broke parsers before: objects that fail String(), prototype names, absurd numbers. */
function hostileValues() {
	return [
		{ toString: 1 },
		{ valueOf: 1, toString: 1 },
		{ toString: { toString: 1 } },
		[],
		[{ toString: 1 }],
		['delivered', 'read'],
		{},
		null,
		true,
		false,
		0,
		-1,
		1e308,
		-1e308,
		8.64e15 + 1,
		9e15,
		1.5,
		1.2345678901234567e19,
		'',
		' ',
		'constructor',
		'toString',
		'__proto__',
		'hasOwnProperty',
		'valueOf',
		'prototype',
		'2026-13-45T99:99:99Z',
		'NaN',
		'Infinity',
		'-0',
		'1e999',
		'whatsapp:',
		'whatsapp:+1\'"<script>',
		'\u0000\uffff\ud800',
		'x'.repeat(20000),
		deeplyNested(200),
		JSON.parse('{"__proto__": {"polluted": true}}'),
	];
}

const HOSTILE = hostileValues();

/** A fresh copy of one hostile value, so later changes never touch the shared list. */
function hostile(random) {
	const value = pick(random, HOSTILE);
	return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

/** Every path to a value inside `value` (objects and arrays), the root excluded. */
function paths(value, prefix = [], out = []) {
	if (typeof value !== 'object' || value === null || prefix.length > 8) return out;
	for (const key of Object.keys(value)) {
		out.push([...prefix, key]);
		paths(value[key], [...prefix, key], out);
	}
	return out;
}

/**
 * A copy of `body` with one to four changes: a value replaced, a field removed or added. It
 * goes through JSON text at the end, so it is exactly what n8n's body parser could hand over.
 */
function mutate(random, body) {
	return JSON.parse(JSON.stringify(mutated(random, body)) ?? 'null');
}

function mutated(random, body) {
	const copy = JSON.parse(JSON.stringify(body));
	if (random() < 0.03) return hostile(random);
	const changes = 1 + Math.floor(random() * 4);
	for (let change = 0; change < changes; change++) {
		const all = paths(copy);
		if (all.length === 0) break;
		const target = pick(random, all);
		let parent = copy;
		for (const key of target.slice(0, -1)) parent = parent[key];
		if (typeof parent !== 'object' || parent === null) continue;
		const key = target[target.length - 1];
		const roll = random();
		// Own properties, as JSON.parse makes them (a `__proto__` key included).
		const set = (name, value) => Object.defineProperty(parent, name, { value, enumerable: true, writable: true, configurable: true });
		if (roll < 0.7) set(key, hostile(random));
		else if (roll < 0.85) {
			if (Array.isArray(parent)) parent.splice(Number(key), 1);
			else delete parent[key];
		}
		// JSON gives arrays no named keys: extra fields go on objects only.
		else if (!Array.isArray(parent)) set(pick(random, ['constructor', 'toString', '__proto__', 'extra', '0']), hostile(random));
	}
	return copy;
}

module.exports = { hostileValues, mulberry32, mutate, pick };
