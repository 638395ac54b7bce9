/**
 * WhatsApp's reply buttons, the same for every provider: the limits WhatsApp sets, and the
 * template `button` components that Meta and Smooch's WhatsApp passthrough both take.
 */

import type { JsonObject } from './json';
import type { ReplyButton } from './types';

/** WhatsApp shows at most three reply buttons under a message sent inside the 24-hour window. */
export const MAX_REPLY_BUTTONS = 3;

/** A button's title: WhatsApp's limit for interactive reply buttons. */
export const MAX_BUTTON_TITLE = 20;

/** A button's id or a quick reply's payload: WhatsApp's limit for `reply.id`, and Twilio's for a content variable. */
export const MAX_BUTTON_ID = 256;

/**
 * The template's quick-reply payloads as WhatsApp's `button` components, one per button by its
 * index in the template: `{type: "button", sub_type: "quick_reply", index: "0", parameters: [{type: "payload", payload}]}`.
 */
export function quickReplyComponents(payloads: readonly string[] | undefined): JsonObject[] {
	return (payloads ?? []).map((payload, index) => ({
		type: 'button',
		sub_type: 'quick_reply',
		index: String(index),
		parameters: [{ type: 'payload', payload }],
	}));
}

/**
 * Reply buttons as the user gave them, checked against WhatsApp's rules: at most three, each
 * with a title of 1 to 20 characters, titles and ids unique (WhatsApp refuses duplicates). A
 * button without an id gets its title as id. Throws an Error saying which button and why.
 */
export function checkedButtons(given: ReadonlyArray<{ title?: unknown; id?: unknown }>): ReplyButton[] {
	if (given.length > MAX_REPLY_BUTTONS) {
		throw new Error(`${given.length} reply buttons: WhatsApp shows at most ${MAX_REPLY_BUTTONS}`);
	}
	const buttons = given.map(({ title, id }, index) => {
		const text = typeof title === 'string' || typeof title === 'number' ? String(title).trim() : '';
		const name = `reply button ${index + 1}`;
		if (text === '') throw new Error(`${name} has no title`);
		if ([...text].length > MAX_BUTTON_TITLE) {
			throw new Error(`${name}'s title ${JSON.stringify(text)} is longer than WhatsApp's ${MAX_BUTTON_TITLE} characters`);
		}
		const givenId = typeof id === 'string' || typeof id === 'number' ? String(id).trim() : '';
		const buttonId = givenId || text;
		if (buttonId.length > MAX_BUTTON_ID) throw new Error(`${name}'s ID is longer than ${MAX_BUTTON_ID} characters`);
		return { title: text, id: buttonId };
	});
	for (const key of ['title', 'id'] as const) {
		const seen = new Set<string>();
		for (const button of buttons) {
			if (seen.has(button[key])) throw new Error(`two reply buttons have the ${key} ${JSON.stringify(button[key])}: WhatsApp needs each to differ`);
			seen.add(button[key]);
		}
	}
	return buttons;
}

/** Quick-reply payloads of a template, checked: not empty, within WhatsApp's length. Throws naming the payload. */
export function checkedPayloads(given: readonly unknown[]): string[] {
	return given.map((value, index) => {
		const payload = typeof value === 'string' || typeof value === 'number' ? String(value) : '';
		if (payload.trim() === '') throw new Error(`quick-reply payload ${index + 1} is empty`);
		if (payload.length > MAX_BUTTON_ID) throw new Error(`quick-reply payload ${index + 1} is longer than ${MAX_BUTTON_ID} characters`);
		return payload;
	});
}
