/**
 * Twilio's reply buttons. Twilio sends WhatsApp buttons only as Content (the Content API's
 * `twilio/quick-reply`), never as message fields. So this package makes, once per account and
 * number of buttons, a quick-reply content whose body, titles and ids are all variables
 * (`{{1}}` the text, then `{{2}}`/`{{3}}` the first button's title and id, …), finds it again by
 * its name, and sends each message with that ContentSid and the values as ContentVariables.
 * Inside the 24-hour window WhatsApp takes such content without approval (up to three buttons).
 */

import { asString } from '../shared/callback';
import { isPlainObject } from '../shared/json';
import type { ButtonContent, ProviderSettings, ReplyButton } from '../shared/types';

/** The name the content is found by: one per number of buttons. */
export function quickReplyContentName(buttonCount: number): string {
	return `n8n_whatsapp_notify_quick_reply_${buttonCount}`;
}

/** The variable numbers of button `index` (0-based): its title, then its id; `{{1}}` is the text. */
const titleVariable = (index: number) => String(2 + index * 2);
const idVariable = (index: number) => String(3 + index * 2);

/** The values of the content's variables for one message: the text, then each button's title and id. */
export function quickReplyVariables(message: string, buttons: readonly ReplyButton[]): Record<string, string> {
	const variables: Record<string, string> = { '1': message };
	buttons.forEach(({ id, title }, index) => {
		variables[titleVariable(index)] = title;
		variables[idVariable(index)] = id;
	});
	return variables;
}

/** The quick-reply content on the Content API at `contentBaseUrl` (content.twilio.com, or the credential's proxy). */
export const quickReplyContent = (contentBaseUrl: (settings: ProviderSettings) => string): ButtonContent => ({
	lookup: (settings) => ({ method: 'GET', url: `${contentBaseUrl(settings)}/v1/Content?PageSize=1000` }),
	readLookup(responseBody, buttonCount) {
		if (!isPlainObject(responseBody) || !Array.isArray(responseBody.contents)) throw new Error('the answer holds no "contents" list');
		const name = quickReplyContentName(buttonCount);
		const found = responseBody.contents.find(
			(content) => isPlainObject(content) && content.friendly_name === name && isPlainObject(content.types) && isPlainObject(content.types['twilio/quick-reply']),
		);
		return isPlainObject(found) ? (asString(found.sid) ?? undefined) : undefined;
	},
	create(settings, buttonCount) {
		const indexes = Array.from({ length: buttonCount }, (_, index) => index);
		// Sample values, which the Content API asks for each variable.
		const samples = quickReplyVariables(
			'Your appointment is tomorrow at 10:00.',
			indexes.map((index) => ({ title: `Option ${index + 1}`, id: `option-${index + 1}` })),
		);
		return {
			method: 'POST',
			url: `${contentBaseUrl(settings)}/v1/Content`,
			encoding: 'json',
			body: {
				friendly_name: quickReplyContentName(buttonCount),
				language: 'en',
				variables: samples,
				types: {
					'twilio/quick-reply': {
						body: '{{1}}',
						actions: indexes.map((index) => ({ title: `{{${titleVariable(index)}}}`, id: `{{${idVariable(index)}}}` })),
					},
				},
			},
		};
	},
	readCreated(responseBody) {
		const sid = isPlainObject(responseBody) ? asString(responseBody.sid) : null;
		if (!sid || !/^HX[0-9a-f]{32}$/i.test(sid)) throw new Error('the answer holds no Content SID (HX…)');
		return sid;
	},
});
