/**
 * Every parameter and notice of WhatsApp Notify shows only where it applies: for every provider ×
 * operation × message type × media type (× response type), the parameters n8n's editor shows
 * (n8n-workflow's own display rules, NodeHelpers) are exactly those the tables below say apply.
 *
 * The tables are the facts, written from the providers' documentation (shared/PROVIDERS.md,
 * docs/sending.md), not from the node's code. To add a field, a provider, an operation or a
 * message type: add its row here. A parameter, option or provider the tables do not know fails the walk.
 */
const path = require('path');
const { NodeHelpers } = require('n8n-workflow');

const dist = path.resolve(__dirname, '../../../dist');
const { WhatsAppNotify } = require(`${dist}/nodes/WhatsAppNotify/WhatsAppNotify.node`);

const notify = new WhatsAppNotify().description;

/** What each provider accepts in a message. */
const PROVIDERS = {
	twilio: {
		templateList: true, // Content API: ContentAndApprovals
		templateLanguage: false, // a Content template has its own language
		templateHeaderMedia: false, // a Content template carries its own media
		templateQuickReplyPayloads: false, // a Content template holds its own button ids
		documentFileName: false, // MediaUrl only
		replyButtons: true, // through a quick-reply Content
	},
	smooch: {
		templateList: false, // no API lists WhatsApp templates
		templateLanguage: true,
		templateHeaderMedia: true,
		templateQuickReplyPayloads: true,
		documentFileName: false, // a file message has mediaUrl and mediaType, no name
		replyButtons: true,
	},
	gupshup: {
		templateList: true,
		templateLanguage: false, // templates are addressed by id
		templateHeaderMedia: true,
		templateQuickReplyPayloads: true,
		documentFileName: true,
		replyButtons: true,
	},
	meta: {
		templateList: true,
		templateLanguage: true,
		templateHeaderMedia: true,
		templateQuickReplyPayloads: true,
		documentFileName: true,
		replyButtons: true,
	},
};

/** What each media type carries, whatever the provider: WhatsApp shows no caption on audio. */
const MEDIA = {
	image: { caption: true, fileName: false },
	document: { caption: true, fileName: true },
	video: { caption: true, fileName: false },
	audio: { caption: false, fileName: false },
};

/**
 * Where each top-level parameter applies: `(case, accepts) => boolean`, `case` being
 * { provider, operation, messageType, mediaType, responseType } and `accepts` its provider's row.
 */
const send = (c) => c.operation === 'send';
const sendAndWait = (c) => c.operation === 'sendAndWait';
const template = (c) => send(c) && c.messageType === 'template';
const media = (c) => send(c) && c.messageType === 'media';
const APPLIES = {
	provider: () => true,
	operation: () => true,
	recipient: () => true,
	messageType: send,
	message: (c) => sendAndWait(c) || (send(c) && (c.messageType === 'text' || (media(c) && MEDIA[c.mediaType].caption))),
	replyButtons: (c, accepts) => send(c) && c.messageType === 'text' && accepts.replyButtons,
	template,
	templateListNotice: (c, accepts) => template(c) && !accepts.templateList,
	templateLanguage: (c, accepts) => template(c) && accepts.templateLanguage,
	templateVariables: template,
	quickReplyPayloads: (c, accepts) => template(c) && accepts.templateQuickReplyPayloads,
	headerMediaUrl: (c, accepts) => template(c) && accepts.templateHeaderMedia,
	mediaType: media,
	mediaUrl: media,
	fileName: (c, accepts) => media(c) && MEDIA[c.mediaType].fileName && accepts.documentFileName,
	override: send,
	options: () => true, // each operation has its own Options collection
	responseType: sendAndWait,
	approvalOptions: (c) => sendAndWait(c) && c.responseType === 'approval',
	choices: (c) => sendAndWait(c) && c.responseType === 'choices',
	replyTriggerSetup: sendAndWait,
	replyNotice: sendAndWait,
};

const optionValues = (name) => {
	const values = notify.properties.filter((property) => property.name === name).flatMap((property) => property.options.map((option) => option.value));
	return [...new Set(values)];
};

/** Every case the panel can be in, from the node's own option lists. */
function cases() {
	const all = [];
	for (const provider of optionValues('provider')) {
		for (const operation of optionValues('operation')) {
			if (operation === 'sendAndWait') {
				for (const responseType of optionValues('responseType')) all.push({ provider, operation, responseType });
				continue;
			}
			for (const messageType of optionValues('messageType')) {
				if (messageType !== 'media') all.push({ provider, operation, messageType });
				else for (const mediaType of optionValues('mediaType')) all.push({ provider, operation, messageType, mediaType });
			}
		}
	}
	return all;
}

/** The parameters n8n's editor shows for these values, defaults filled in and hidden ones dropped as the editor does. */
function shown(values) {
	const parameters = NodeHelpers.getNodeParameters(notify.properties, values, true, false, null, notify);
	return notify.properties.filter((property) => NodeHelpers.displayParameter(parameters, property, null, notify)).map((property) => property.name);
}

const label = (c) => Object.values(c).join(' / ');

test('the tables know every provider, every parameter and every media type of the node', () => {
	expect(optionValues('provider').sort()).toEqual(Object.keys(PROVIDERS).sort());
	expect([...new Set(notify.properties.map((property) => property.name))].sort()).toEqual(Object.keys(APPLIES).sort());
	expect(optionValues('mediaType').sort()).toEqual(Object.keys(MEDIA).sort());
	expect(optionValues('operation').sort()).toEqual(['send', 'sendAndWait']);
});

test.each(cases().map((c) => [label(c), c]))('%s: exactly the parameters that apply are shown, each once', (_label, c) => {
	const expected = Object.keys(APPLIES).filter((name) => APPLIES[name](c, PROVIDERS[c.provider]));
	const names = shown(c);
	expect(names.sort()).toEqual(expected.sort());
});

describe('the three fields that used to show where they do not apply', () => {
	test('Header Media URL: not on Twilio templates (a Content template carries its own media)', () => {
		expect(shown({ provider: 'twilio', operation: 'send', messageType: 'template' })).not.toContain('headerMediaUrl');
		expect(shown({ provider: 'meta', operation: 'send', messageType: 'template' })).toContain('headerMediaUrl');
	});

	test('File Name: not on Twilio or Smooch documents', () => {
		const document = { operation: 'send', messageType: 'media', mediaType: 'document' };
		expect(['twilio', 'smooch'].filter((provider) => shown({ ...document, provider }).includes('fileName'))).toEqual([]);
		expect(['gupshup', 'meta'].filter((provider) => shown({ ...document, provider }).includes('fileName'))).toEqual(['gupshup', 'meta']);
	});

	test('Message: not on audio, for any provider', () => {
		const audio = { operation: 'send', messageType: 'media', mediaType: 'audio' };
		expect(optionValues('provider').filter((provider) => shown({ ...audio, provider }).includes('message'))).toEqual([]);
	});

	test('a Media Type of audio left over from before switching to Text does not hide the Message', () => {
		expect(shown({ provider: 'twilio', operation: 'send', messageType: 'text', mediaType: 'audio' })).toContain('message');
	});
});

describe('nested options apply everywhere their parameter shows', () => {
	/** Options and collection fields that are shown or hidden by a top-level parameter: none may be, as the walk covers top-level ones only. */
	function nestedRules(property, trail = property.name) {
		const children = [...(property.options ?? []), ...(property.values ?? [])].filter((child) => typeof child === 'object' && child !== null);
		return children.flatMap((child) => {
			const keys = Object.keys({ ...child.displayOptions?.show, ...child.displayOptions?.hide });
			const own = keys.filter((key) => key in APPLIES).map((key) => `${trail} › ${child.name}: ${key}`);
			return [...own, ...nestedRules(child, `${trail} › ${child.name}`)];
		});
	}

	test('no option or collection field depends on provider, operation or message type', () => {
		expect(notify.properties.flatMap((property) => nestedRules(property))).toEqual([]);
	});
});
