'use strict';

/**
 * A customer's message for the sandbox to play (POST /_sandbox/inbound): checked once here, then
 * each provider's kit (its `inbound`) spells it as that provider's callback.
 *
 *   { provider, from, to?, text?, button?: { id, title }, replyTo?, media?: { url, mimeType }, profileName? }
 */

const { toE164 } = require('./ids');

const MAX_TEXT = 4096;

class InboundError extends Error {}

const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

function optionalString(input, key, max = MAX_TEXT) {
	const value = input[key];
	if (value === undefined || value === null || value === '') return null;
	if (typeof value !== 'string' || value.length > max) throw new InboundError(`${key} must be a string of at most ${max} characters`);
	return value;
}

function checkButton(button) {
	if (button === undefined || button === null) return null;
	if (!isObject(button) || typeof button.id !== 'string' || button.id === '' || button.id.length > 256) {
		throw new InboundError('button must be { id, title } with an id of 1 to 256 characters');
	}
	const title = button.title === undefined ? button.id : button.title;
	if (typeof title !== 'string' || title.length > 256) throw new InboundError('button.title must be a string');
	return { id: button.id, title };
}

function checkMedia(media) {
	if (media === undefined || media === null) return null;
	if (!isObject(media) || typeof media.url !== 'string' || !/^https?:\/\//.test(media.url)) throw new InboundError('media must be { url, mimeType } with an http(s) url');
	const mimeType = media.mimeType ?? 'image/jpeg';
	if (typeof mimeType !== 'string' || !/^[a-z]+\/[\w.+-]+$/i.test(mimeType)) throw new InboundError('media.mimeType must be a MIME type like image/jpeg');
	return { url: media.url, mimeType };
}

/** The message as every kit reads it; throws InboundError naming what is wrong. */
function checkInbound(input, defaultTo) {
	if (!isObject(input)) throw new InboundError('the body must be a JSON object');
	const from = toE164(typeof input.from === 'string' ? input.from : '');
	if (!from) throw new InboundError('from must be the customer’s number in E.164, like +15551234567');
	const to = input.to === undefined ? defaultTo : toE164(String(input.to));
	if (!to) throw new InboundError('to must be the business number in E.164');
	const message = {
		from,
		to,
		text: optionalString(input, 'text'),
		button: checkButton(input.button),
		media: checkMedia(input.media),
		replyTo: optionalString(input, 'replyTo', 512),
		profileName: optionalString(input, 'profileName', 256) ?? 'Sandbox Customer',
	};
	if (!message.text && !message.button && !message.media) throw new InboundError('give text, button or media');
	if ([message.button, message.media].filter(Boolean).length > 1) throw new InboundError('a message is a button tap or a file, not both');
	return message;
}

/** What a media message is called in WhatsApp, from its MIME type. */
function mediaKind(mimeType) {
	const family = mimeType.split('/')[0];
	return family === 'image' || family === 'video' || family === 'audio' ? family : 'document';
}

module.exports = { InboundError, checkInbound, mediaKind };
