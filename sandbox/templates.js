'use strict';

/**
 * The sandbox's approved WhatsApp templates, the same for every provider, each under the id
 * that provider uses (Twilio's Content SID, Gupshup's UUID, the name for Smooch and Meta);
 * the template lists the providers answer; and the checks a template or media send must pass
 * in each provider's shape. A check returns a sentence saying what is wrong, or null.
 */

const { gupshupPostbackTexts, gupshupQuickReply, metaInteractiveButtons, smoochReplyActions, templateQuickReplies, twilioQuickReply } = require('./buttons');
const { SANDBOX_CREDENTIALS } = require('./constants');

const TEMPLATES = Object.freeze([
	{
		name: 'order_shipped',
		language: 'en',
		body: 'Hi {{1}}, your order {{2}} has shipped.',
		variables: 2,
		header: null,
		approved: true,
		twilioSid: 'HX0f3c1e5a7b9d2f4a6c8e0b1d3f5a7c9e',
		gupshupId: '6a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b',
	},
	{
		name: 'invoice_ready',
		language: 'en',
		body: 'Your invoice {{1}} is attached.',
		variables: 1,
		header: 'document',
		approved: true,
		twilioSid: 'HX1a2b3c4d5e6f708192a3b4c5d6e7f809',
		gupshupId: '7b2a1d3f-4c5e-4f60-9bac-1d2e3f4a5b6c',
	},
	{
		name: 'appointment_moved',
		language: 'en',
		body: 'Your appointment moved to {{1}} at {{2}}. Reply to change it.',
		variables: 2,
		header: null,
		approved: true,
		twilioSid: 'HX2b3c4d5e6f708192a3b4c5d6e7f8091a',
		gupshupId: '8c3b2e4a-5d6f-4a71-8cbd-2e3f4a5b6c7d',
	},
	{
		name: 'appointment_reminder',
		language: 'en',
		body: 'Your appointment is on {{1}}. Can you come?',
		variables: 1,
		header: null,
		quickReplies: ['Confirm', 'Reschedule'],
		approved: true,
		twilioSid: 'HX4d5e6f708192a3b4c5d6e7f8091a2b3c',
		gupshupId: 'ae5d4a6c-7f81-4c93-8edf-4a5b6c7d8e9f',
	},
	{
		name: 'spring_sale',
		language: 'en',
		body: 'Spring sale: 20% off until Sunday.',
		variables: 0,
		header: null,
		approved: false,
		twilioSid: 'HX3c4d5e6f708192a3b4c5d6e7f8091a2b',
		gupshupId: '9d4c3f5b-6e70-4b82-9dce-3f4a5b6c7d8e',
	},
]);

/** The namespace the sandbox's Smooch WhatsApp integration keeps its templates in. */
const TEMPLATE_NAMESPACE = SANDBOX_CREDENTIALS.smooch.templateNamespace;

const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value) => typeof value === 'string' && value.trim() !== '';
const isHttpsUrl = (value) => typeof value === 'string' && /^https:\/\/[^\s/]+\/\S*$/.test(value);

function approved(key, value) {
	return TEMPLATES.find((template) => template.approved && template[key] === value);
}

// ---- the lists, in each provider's shape ----

/** A template's Content types: quick replies (their ids variables after the body's, as a user makes them), media or text. */
function twilioTypes(template) {
	if (template.quickReplies) {
		const actions = template.quickReplies.map((title, index) => ({ title, id: `{{${template.variables + index + 1}}}` }));
		return { 'twilio/quick-reply': { body: template.body, actions } };
	}
	if (template.header === 'document') return { 'twilio/media': { body: template.body, media: ['https://files.example.com/{{1}}'] } };
	return { 'twilio/text': { body: template.body } };
}

/** Twilio's GET content.twilio.com/v1/ContentAndApprovals page. */
function twilioContentAndApprovals(accountSid) {
	return {
		contents: TEMPLATES.map((template) => ({
			account_sid: accountSid,
			sid: template.twilioSid,
			friendly_name: template.name,
			language: template.language,
			variables: Object.fromEntries(
				Array.from({ length: template.variables + (template.quickReplies?.length ?? 0) }, (_, index) => [String(index + 1), `sample ${index + 1}`]),
			),
			types: twilioTypes(template),
			url: `https://content.twilio.com/v1/Content/${template.twilioSid}`,
			date_created: '2026-11-01T10:00:00Z',
			date_updated: '2026-11-01T10:00:00Z',
			approval_requests: {
				name: template.name,
				category: 'UTILITY',
				content_type: template.header === 'document' ? 'twilio/media' : 'twilio/text',
				status: template.approved ? 'approved' : 'pending',
				rejection_reason: '',
				allow_category_change: false,
			},
		})),
		meta: { page: 0, page_size: 1000, first_page_url: null, previous_page_url: null, next_page_url: null, key: 'contents' },
	};
}

/** Gupshup's GET /sm/api/v1/template/list/{app}. */
function gupshupTemplateList() {
	return {
		status: 'success',
		templates: TEMPLATES.map((template) => ({
			id: template.gupshupId,
			elementName: template.name,
			languageCode: template.language,
			category: 'UTILITY',
			status: template.approved ? 'APPROVED' : 'PENDING',
			templateType: template.header === 'document' ? 'DOCUMENT' : 'TEXT',
			data: template.body,
			namespace: TEMPLATE_NAMESPACE,
		})),
	};
}

/** Meta's GET /{version}/{waba-id}/message_templates. */
function metaMessageTemplates() {
	return {
		data: TEMPLATES.map((template, index) => ({
			id: String(1_000_000 + index),
			name: template.name,
			language: template.language,
			status: template.approved ? 'APPROVED' : 'PENDING',
			category: 'UTILITY',
			parameter_format: 'POSITIONAL',
			components: [
				...(template.header === 'document' ? [{ type: 'HEADER', format: 'DOCUMENT' }] : []),
				{ type: 'BODY', text: template.body },
				...(template.quickReplies ? [{ type: 'BUTTONS', buttons: template.quickReplies.map((text) => ({ type: 'QUICK_REPLY', text })) }] : []),
			],
		})),
		paging: { cursors: { before: 'MAZDZD', after: 'MjQZD' } },
	};
}

// ---- the send checks ----

/** The body parameters and header a WhatsApp-style `components` list carries for this template. */
function checkComponents(template, components) {
	const list = Array.isArray(components) ? components : [];
	const body = list.find((component) => isObject(component) && component.type === 'body');
	const header = list.find((component) => isObject(component) && component.type === 'header');
	const parameters = body && Array.isArray(body.parameters) ? body.parameters : [];
	if (parameters.length !== template.variables) {
		return `template ${template.name} has ${template.variables} body parameters, got ${parameters.length}`;
	}
	if (!parameters.every((parameter) => isObject(parameter) && parameter.type === 'text' && isText(parameter.text))) {
		return 'every body parameter must be {"type": "text", "text": "…"} with a text';
	}
	const quickReplies = templateQuickReplies(template, list);
	if (quickReplies.problem) return quickReplies.problem;
	return checkHeader(template, header && Array.isArray(header.parameters) ? header.parameters[0] : undefined);
}

/** A document header: {"type": "document", "document": {"link": "https://…"}}, required for a document template. */
function checkHeader(template, media) {
	if (template.header !== 'document') return media === undefined ? null : `template ${template.name} has no media header`;
	if (!isObject(media) || media.type !== 'document' || !isObject(media.document) || !isHttpsUrl(media.document.link)) {
		return `template ${template.name} needs a document header: {"type": "document", "document": {"link": "https://…"}}`;
	}
	return null;
}

/** Twilio form fields: a known ContentSid with a ContentVariables JSON object of "1".."n"; MediaUrl https. */
function checkTwilio({ contentSid, contentVariables, media }) {
	for (const url of media) if (!isHttpsUrl(url)) return `MediaUrl ${JSON.stringify(url)} is not an https URL`;
	if (contentSid === undefined) return null;
	let variables = {};
	if (contentVariables !== undefined) {
		try {
			variables = JSON.parse(contentVariables);
		} catch {
			return 'ContentVariables is not a JSON string';
		}
	}
	// Quick-reply Content made through the Content API: sent in session, no approval needed.
	const made = twilioQuickReply(contentSid, variables);
	if (made) return made.problem;
	const template = approved('twilioSid', contentSid);
	if (!template) return `ContentSid ${contentSid} is not an approved Content template of this account`;
	const keys = isObject(variables) ? Object.keys(variables).sort() : null;
	const count = template.variables + (template.quickReplies?.length ?? 0);
	const wanted = Array.from({ length: count }, (_, index) => String(index + 1)).sort();
	if (!keys || keys.join() !== wanted.join() || !Object.values(variables).every(isText)) {
		return `ContentVariables must give ${JSON.stringify(wanted)} for ${template.name}, got ${contentVariables}`;
	}
	return null;
}

const GUPSHUP_MEDIA = {
	image: (message) => isHttpsUrl(message.originalUrl) || 'an image needs an https originalUrl',
	file: (message) => (isHttpsUrl(message.url) && isText(message.filename)) || 'a file needs an https url and a filename',
	video: (message) => isHttpsUrl(message.url) || 'a video needs an https url',
	audio: (message) => (isHttpsUrl(message.url) && message.caption === undefined) || 'an audio needs an https url and takes no caption',
};

/** Gupshup: template={"id","params"} of a known template (+ `message` for a media header, `postbackTexts`); media and quick_reply messages. */
function checkGupshup(template, message, postbackTexts) {
	if (template !== undefined) {
		const known = approved('gupshupId', template.id);
		if (!known) return `template id ${template.id} is not an approved template of this app`;
		if (!Array.isArray(template.params) || template.params.length !== known.variables || !template.params.every(isText)) {
			return `template ${known.name} takes ${known.variables} params`;
		}
		return gupshupPostbackTexts(known, postbackTexts).problem ?? checkHeader(known, message);
	}
	if (message.type === 'quick_reply') return gupshupQuickReply(message).problem;
	const check = GUPSHUP_MEDIA[message.type];
	if (!check) return null;
	const verdict = check(message);
	return verdict === true ? null : verdict;
}

/** Smooch: a whatsapp-schema template in the sandbox namespace, or image/file messages with an https mediaUrl. */
function checkSmooch(body) {
	const { message } = body;
	if (message.type === 'template') {
		if (body.messageSchema !== 'whatsapp') return 'a template needs "messageSchema": "whatsapp"';
		const { template } = message;
		if (!isObject(template)) return 'message.template is required';
		if (template.namespace !== TEMPLATE_NAMESPACE) return `template namespace ${JSON.stringify(template.namespace)} is not this integration's`;
		const known = approved('name', template.name);
		if (!known) return `template ${JSON.stringify(template.name)} is not approved`;
		if (!isObject(template.language) || template.language.policy !== 'deterministic' || template.language.code !== known.language) {
			return `language must be {"policy": "deterministic", "code": "${known.language}"}`;
		}
		return checkComponents(known, template.components);
	}
	const actions = smoochReplyActions(message);
	if (actions.problem) return actions.problem;
	if (message.type === 'image' || message.type === 'file') {
		if (!isHttpsUrl(message.mediaUrl)) return `a ${message.type} message needs an https mediaUrl`;
		if (message.type === 'file' && message.mediaType !== undefined && !/^[a-z]+\/[\w.+-]+$/.test(message.mediaType)) {
			return `mediaType ${JSON.stringify(message.mediaType)} is not a MIME type`;
		}
	}
	return null;
}

/** Meta: a template by name and language with its components; media as {link, caption, filename}. */
function checkMeta(body) {
	if (body.type === 'template') {
		const known = approved('name', body.template.name);
		if (!known) return `template ${JSON.stringify(body.template.name)} does not exist or is not approved`;
		if (!isObject(body.template.language) || body.template.language.code !== known.language) {
			return `template ${known.name} has no translation for ${JSON.stringify(body.template.language)}`;
		}
		return checkComponents(known, body.template.components);
	}
	if (body.type === 'interactive') return metaInteractiveButtons(body.interactive).problem;
	if (['image', 'document', 'video', 'audio'].includes(body.type)) {
		const media = body[body.type];
		if (!isHttpsUrl(media.link)) return `${body.type}.link must be an https URL`;
		if (body.type === 'audio' && media.caption !== undefined) return 'audio takes no caption';
	}
	return null;
}

/** The buttons a send carries, as `{ id, title }`, for the sandbox's record: each provider's shape read back. */
const sentButtons = {
	meta(body) {
		if (body.type === 'interactive') return metaInteractiveButtons(body.interactive).buttons ?? [];
		const known = body.type === 'template' && isObject(body.template) ? approved('name', body.template.name) : undefined;
		return known ? (templateQuickReplies(known, body.template.components).buttons ?? []) : [];
	},
	smooch(body) {
		const { message } = body;
		if (message.type !== 'template') return smoochReplyActions(message).buttons ?? [];
		const known = approved('name', message.template.name);
		return known ? (templateQuickReplies(known, message.template.components).buttons ?? []) : [];
	},
	gupshup(template, message, postbackTexts) {
		if (template !== undefined) return gupshupPostbackTexts(approved('gupshupId', template.id), postbackTexts).buttons ?? [];
		return message.type === 'quick_reply' ? (gupshupQuickReply(message).buttons ?? []) : [];
	},
	twilio(contentSid, contentVariables) {
		if (contentSid === undefined) return [];
		const variables = contentVariables === undefined ? {} : JSON.parse(contentVariables);
		const made = twilioQuickReply(contentSid, variables);
		if (made) return made.buttons ?? [];
		const template = approved('twilioSid', contentSid);
		const actions = template ? (twilioTypes(template)['twilio/quick-reply']?.actions ?? []) : [];
		return actions.map((action, index) => ({ id: variables[String(template.variables + index + 1)], title: action.title }));
	},
};

module.exports = {
	sentButtons,
	TEMPLATES,
	TEMPLATE_NAMESPACE,
	twilioContentAndApprovals,
	gupshupTemplateList,
	metaMessageTemplates,
	checkTwilio,
	checkGupshup,
	checkSmooch,
	checkMeta,
};
