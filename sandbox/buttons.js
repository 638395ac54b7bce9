'use strict';

/**
 * Reply buttons as each provider takes them, checked the way the provider would refuse them,
 * and read back as the `{ id, title }` list the sandbox records with the message (the page and
 * /_sandbox/inbound tap them from there). WhatsApp's rules: at most three buttons on a session
 * message, a title of 1 to 20 characters, an id of 1 to 256, titles and ids unique; a
 * template's quick replies by their index in the template, each with a payload.
 * A check returns a sentence saying what is wrong, or null.
 */

const crypto = require('crypto');

const MAX_BUTTONS = 3;
const MAX_TITLE = 20;
const MAX_ID = 256;

const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value) => typeof value === 'string' && value.trim() !== '';

/** WhatsApp's rules for `{ id, title }` buttons; `where` names the field in the provider's words. */
function checkButtonList(buttons, where) {
	if (buttons.length === 0 || buttons.length > MAX_BUTTONS) return `${where} must hold 1 to ${MAX_BUTTONS} buttons, got ${buttons.length}`;
	for (const [index, { id, title }] of buttons.entries()) {
		if (!isText(title) || [...title].length > MAX_TITLE) return `${where}[${index}] title must be 1 to ${MAX_TITLE} characters`;
		if (!isText(id) || id.length > MAX_ID) return `${where}[${index}] id must be 1 to ${MAX_ID} characters`;
	}
	if (new Set(buttons.map((button) => button.title)).size !== buttons.length) return `${where}: button titles must be unique`;
	if (new Set(buttons.map((button) => button.id)).size !== buttons.length) return `${where}: button ids must be unique`;
	return null;
}

// ---- Meta (and Smooch's WhatsApp passthrough for templates) ----

/** Meta's interactive button message: `{type: "button", body: {text}, action: {buttons: [{type: "reply", reply: {id, title}}]}}`. */
function metaInteractiveButtons(interactive) {
	if (!isObject(interactive) || interactive.type !== 'button') return { problem: 'interactive.type must be "button" (the sandbox plays reply buttons only)' };
	if (!isObject(interactive.body) || !isText(interactive.body.text)) return { problem: "Param interactive['body']['text'] is required" };
	const list = isObject(interactive.action) && Array.isArray(interactive.action.buttons) ? interactive.action.buttons : null;
	if (!list) return { problem: "Param interactive['action']['buttons'] is required" };
	if (!list.every((button) => isObject(button) && button.type === 'reply' && isObject(button.reply))) {
		return { problem: 'every button must be {"type": "reply", "reply": {"id", "title"}}' };
	}
	const buttons = list.map(({ reply }) => ({ id: reply.id, title: reply.title }));
	return { problem: checkButtonList(buttons, "interactive['action']['buttons']"), buttons };
}

/**
 * A template's `button` components: `{type: "button", sub_type: "quick_reply", index: "0",
 * parameters: [{type: "payload", payload}]}`, one per quick reply of the template at most.
 */
function templateQuickReplies(template, components) {
	const list = (Array.isArray(components) ? components : []).filter((component) => isObject(component) && component.type === 'button');
	const titles = template.quickReplies ?? [];
	const buttons = [];
	for (const component of list) {
		const index = Number(component.index);
		if (component.sub_type !== 'quick_reply') return { problem: `button sub_type ${JSON.stringify(component.sub_type)}: template ${template.name} has quick replies only` };
		if (!/^\d+$/.test(String(component.index)) || index >= titles.length) {
			return { problem: `template ${template.name} has no quick-reply button at index ${JSON.stringify(component.index)}` };
		}
		const parameter = Array.isArray(component.parameters) ? component.parameters[0] : undefined;
		if (!isObject(parameter) || parameter.type !== 'payload' || !isText(parameter.payload) || component.parameters.length !== 1) {
			return { problem: 'a quick-reply button needs parameters [{"type": "payload", "payload": "…"}]' };
		}
		if (buttons.some((button) => button.index === index)) return { problem: `two button components for index ${index}` };
		buttons.push({ index, id: parameter.payload, title: titles[index] });
	}
	return { problem: null, buttons: buttons.map(({ id, title }) => ({ id, title })) };
}

// ---- Smooch ----

/** Smooch's reply actions on a text message: `{type: "reply", text, payload}`. */
function smoochReplyActions(message) {
	if (message.actions === undefined) return { problem: null, buttons: [] };
	if (!Array.isArray(message.actions) || !message.actions.every((action) => isObject(action) && action.type === 'reply')) {
		return { problem: 'message.actions must be reply actions: {"type": "reply", "text", "payload"}' };
	}
	if (message.type !== 'text') return { problem: 'reply actions go on a text message' };
	const buttons = message.actions.map((action) => ({ id: action.payload, title: action.text }));
	return { problem: checkButtonList(buttons, 'message.actions'), buttons };
}

// ---- Gupshup ----

/** Gupshup's quick_reply message: `{type: "quick_reply", content: {type: "text", text}, options: [{title, postbackText}]}`. */
function gupshupQuickReply(message) {
	if (!isObject(message.content) || !isText(message.content.text)) return { problem: 'a quick_reply needs content.text' };
	if (!Array.isArray(message.options) || !message.options.every(isObject)) return { problem: 'a quick_reply needs options' };
	const buttons = message.options.map((option) => ({ id: option.postbackText ?? option.title, title: option.title }));
	return { problem: checkButtonList(buttons, 'options'), buttons };
}

/** Gupshup's `postbackTexts` form field on a template: a JSON list of `{index, text}`. */
function gupshupPostbackTexts(template, field) {
	if (field === undefined) return { problem: null, buttons: [] };
	let list;
	try {
		list = JSON.parse(field);
	} catch {
		return { problem: 'postbackTexts is not JSON' };
	}
	if (!Array.isArray(list)) return { problem: 'postbackTexts must be a JSON list' };
	const components = list.map((entry) => ({
		type: 'button',
		sub_type: 'quick_reply',
		index: isObject(entry) ? String(entry.index) : '',
		parameters: [{ type: 'payload', payload: isObject(entry) ? entry.text : undefined }],
	}));
	return templateQuickReplies(template, components);
}

// ---- Twilio: quick-reply Content made through the Content API ----

/** The Content made in this sandbox, by SID: `{ sid, friendly_name, language, variables, types, … }`. */
const madeContents = new Map();

/** POST /v1/Content: returns the Content resource, or { problem }. */
function createContent(accountSid, body) {
	if (!isObject(body) || !isText(body.friendly_name) || !isText(body.language) || !isObject(body.types)) {
		return { problem: 'friendly_name, language and types are required' };
	}
	const quickReply = body.types['twilio/quick-reply'];
	if (quickReply !== undefined) {
		if (!isObject(quickReply) || !isText(quickReply.body) || !Array.isArray(quickReply.actions)) {
			return { problem: 'twilio/quick-reply needs a body and actions' };
		}
		if (quickReply.actions.length === 0 || quickReply.actions.length > 10 || !quickReply.actions.every((action) => isObject(action) && isText(action.title))) {
			return { problem: 'twilio/quick-reply takes 1 to 10 actions, each with a title' };
		}
	}
	const sid = `HX${crypto.createHash('sha256').update(JSON.stringify([accountSid, body])).digest('hex').slice(0, 32)}`;
	const now = new Date().toISOString();
	const content = { sid, account_sid: accountSid, friendly_name: body.friendly_name, language: body.language, variables: body.variables ?? {}, types: body.types, url: `https://content.twilio.com/v1/Content/${sid}`, date_created: now, date_updated: now };
	madeContents.set(sid, content);
	return { content };
}

const listContents = () => [...madeContents.values()];

/** `{{n}}` replaced by ContentVariables' value for n; null when one is missing. */
function fill(text, variables) {
	let missing = false;
	const filled = String(text).replace(/\{\{\s*(\d+)\s*\}\}/g, (_, key) => {
		if (!isText(variables[key])) missing = true;
		return variables[key] ?? '';
	});
	return missing ? null : filled;
}

/** A send with the ContentSid of a quick-reply Content made here: its buttons with the variables filled in, or { problem }. */
function twilioQuickReply(contentSid, variables) {
	const content = madeContents.get(contentSid);
	if (!content) return undefined;
	const quickReply = content.types['twilio/quick-reply'];
	if (!quickReply) return { problem: null, buttons: [] };
	const values = isObject(variables) ? variables : {};
	if (Object.values(values).some((value) => typeof value !== 'string' || value.length > MAX_ID)) {
		return { problem: 'ContentVariables values must be strings of at most 256 characters' };
	}
	const body = fill(quickReply.body, values);
	const buttons = quickReply.actions.map((action) => ({ id: fill(action.id ?? action.title, values), title: fill(action.title, values) }));
	if (body === null || buttons.some((button) => button.id === null || button.title === null)) {
		return { problem: `ContentVariables must give every variable of ${content.friendly_name}` };
	}
	return { problem: checkButtonList(buttons, 'actions'), buttons, body };
}

module.exports = {
	metaInteractiveButtons,
	templateQuickReplies,
	smoochReplyActions,
	gupshupQuickReply,
	gupshupPostbackTexts,
	createContent,
	listContents,
	twilioQuickReply,
};
