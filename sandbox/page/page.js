/// <reference lib="dom" />

/**
 * The sandbox page in the browser: polls GET overview (same origin, /_sandbox/) and draws it; the
 * reply form posts to POST inbound. Everything is drawn as DOM nodes with textContent: what
 * customers and providers wrote is shown as text, never parsed as HTML.
 */

const POLL_MS = 1000;
/** Polled less often while the tab is hidden. */
const HIDDEN_POLL_MS = 5000;

const byId = (id) => document.getElementById(id);
const state = { lastText: '', providersFilled: false };

/** An element with properties (dataset merged) and children (strings become text; null is skipped). */
function el(tag, properties = {}, ...children) {
	const element = document.createElement(tag);
	const { dataset, ...rest } = properties;
	Object.assign(element, rest);
	if (dataset) Object.assign(element.dataset, dataset);
	for (const child of children.flat(Infinity)) {
		if (child === null || child === undefined || child === false) continue;
		element.append(typeof child === 'string' ? document.createTextNode(child) : child);
	}
	return element;
}

const clock = (iso) => {
	const date = new Date(iso);
	const pad = (n, width = 2) => String(n).padStart(width, '0');
	return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
};

const badge = (provider) => el('span', { className: `badge ${provider}` }, provider);

/** A webhook's answer: its HTTP status, or why there was none. */
function answerOf({ httpStatus, error }) {
	if (httpStatus === null || httpStatus === undefined) return el('span', { className: 'http bad answer' }, `no answer: ${error || 'unknown'}`);
	const ok = httpStatus >= 200 && httpStatus < 300;
	return el('span', { className: `http answer ${ok ? 'ok' : 'bad'}` }, `HTTP ${httpStatus}`);
}

/** A collapsed JSON view whose open state survives redraws (by key). */
const jsonDetails = (title, value, key) => el('details', { dataset: { key } }, el('summary', {}, title), el('pre', {}, JSON.stringify(value, null, 2)));

// --- the reply form --------------------------------------------------------------------------

const form = () => /** @type {HTMLFormElement} */ (byId('reply-form'));
const field = (name) => /** @type {HTMLInputElement} */ (form().elements.namedItem(name));

/** Fills the form to answer a send: as its recipient, in reply to it, tapping `button` if given. */
function prepareReply(send, button) {
	field('provider').value = send.provider;
	field('from').value = send.to || '';
	field('replyTo').value = send.messageId || '';
	field('buttonId').value = button ? button.id : '';
	field('buttonTitle').value = button ? button.title : '';
	field('text').value = '';
	if (button) form().querySelector('details').open = true;
	form().scrollIntoView({ block: 'nearest' });
	field('text').focus();
}

/** A button tapped on a send: the customer's tap goes out at once. */
function tap(send, button) {
	prepareReply(send, button);
	form().requestSubmit();
}

/** The form as POST /_sandbox/inbound takes it (CONTRACTS.md): empty fields left out. */
function inboundRequest() {
	const value = (name) => field(name).value.trim();
	const request = { provider: value('provider'), from: value('from') };
	if (value('to')) request.to = value('to');
	if (value('text')) request.text = value('text');
	if (value('buttonId') || value('buttonTitle')) request.button = { id: value('buttonId') || value('buttonTitle'), title: value('buttonTitle') || value('buttonId') };
	if (value('replyTo')) request.replyTo = value('replyTo');
	if (value('mediaUrl')) request.media = { url: value('mediaUrl'), mimeType: value('mediaType') || 'image/jpeg' };
	return request;
}

/** What POST inbound answered, in words; the URLs are left out (a token may travel in one). */
function describeInbound(status, answer) {
	if (status === 404) return { ok: false, text: 'This sandbox cannot play replies yet (POST /_sandbox/inbound answered 404).' };
	if (status < 200 || status >= 300) return { ok: false, text: `Not sent: HTTP ${status}${answer && answer.error ? `: ${answer.error}` : ''}` };
	const delivered = (answer && answer.delivered) || [];
	if (delivered.length === 0) return { ok: false, text: 'Nowhere to send it: no webhook is configured or registered for this provider.' };
	const answers = delivered.map((each) => (each.status ? `HTTP ${each.status}` : 'no answer')).join(', ');
	const ok = delivered.every((each) => each.status >= 200 && each.status < 300);
	return { ok, text: `Sent to ${delivered.length} callback URL${delivered.length === 1 ? '' : 's'}: ${answers}` };
}

async function sendReply(event) {
	event.preventDefault();
	const result = byId('reply-result');
	const show = (state, text) => {
		result.className = `result ${state}`;
		result.dataset.state = state;
		result.textContent = text;
	};
	show('sending', 'Sending…');
	try {
		const response = await fetch('inbound', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(inboundRequest()) });
		const answer = await response.json().catch(() => null);
		const outcome = describeInbound(response.status, answer);
		show(outcome.ok ? 'ok' : 'bad', outcome.text);
	} catch (error) {
		show('bad', `The sandbox does not answer: ${error.message}`);
	}
	refresh();
}

function fillReplyDefaults(data) {
	if (!state.providersFilled) {
		field('provider').replaceChildren(...data.providers.map(({ name }) => el('option', { value: name }, name)));
		state.providersFilled = true;
	}
	if (!field('from').value) field('from').value = data.customer;
}

// --- the sends ---------------------------------------------------------------------------------

/** Buttons as a record may hold them: { id | payload | postbackText, title | text }. */
const asButton = (item) => ({ id: String(item.id ?? item.payload ?? item.postbackText ?? item.title ?? item.text), title: String(item.title ?? item.text ?? item.id) });
const looksLikeButtons = (value) => Array.isArray(value) && value.length > 0 && value.every((item) => item && typeof item === 'object' && (item.title || item.text));

/** What else the record holds (buttons, say): buttons as chips a customer can tap, the rest as JSON. */
function recordDetails(send) {
	const entries = Object.entries(send.details || {});
	if (entries.length === 0) return null;
	return el(
		'dl',
		{},
		entries.map(([name, value]) => [
			el('dt', {}, name),
			el(
				'dd',
				{},
				looksLikeButtons(value)
					? el('div', { className: 'chips' }, value.map(asButton).map((button) =>
						el('button', { type: 'button', className: 'chip', title: `Tap "${button.title}" as the customer`, dataset: { buttonId: button.id }, onclick: () => tap(send, button) }, button.title),
					))
					: el('code', {}, typeof value === 'string' ? value : JSON.stringify(value)),
			),
		]),
	);
}

function callbackItems(send) {
	if (send.callbacks.length === 0) {
		const why = send.httpStatus >= 400 ? 'none: the provider refused the send' : 'none yet';
		return el('ol', { className: 'send-callbacks' }, el('li', { className: 'none' }, `Callbacks: ${why}`));
	}
	return el(
		'ol',
		{ className: 'send-callbacks' },
		send.callbacks.map((callback) =>
			el(
				'li',
				{ dataset: { event: callback.event } },
				el('time', { dateTime: callback.at }, clock(callback.at)),
				el('strong', { className: 'event' }, callback.event),
				el('span', { className: 'url' }, `→ ${callback.url}`),
				answerOf(callback),
			),
		),
	);
}

/** The template and the values it fills in, in order. */
const templateLine = ({ name, parameters }) =>
	el(
		'p',
		{ className: 'template' },
		'Template ',
		el('code', {}, name),
		parameters.length ? [' with ', ...parameters.flatMap((value, index) => [index ? ', ' : '', el('q', { className: 'parameter' }, value)])] : ' (no parameters)',
	);

function sendCard(send, index) {
	const key = send.messageId || `${send.at}:${index}`;
	const ok = send.httpStatus >= 200 && send.httpStatus < 300;
	const header = el(
		'header',
		{},
		badge(send.provider),
		el('time', { dateTime: send.at }, clock(send.at)),
		el('span', { className: 'to' }, send.to ? `to ${send.to}` : send.request),
		el('span', { className: `http ${ok ? 'ok' : 'bad'}`, title: `${send.request} answered` }, `HTTP ${send.httpStatus}`),
		send.messageId ? el('code', { className: 'message-id' }, send.messageId) : null,
		ok && send.to ? el('button', { type: 'button', className: 'link reply-button', onclick: () => prepareReply(send) }, 'Reply as the customer') : null,
	);
	return el(
		'article',
		{ className: 'send', dataset: { messageId: send.messageId || '', provider: send.provider } },
		header,
		send.text ? el('p', { className: 'text' }, send.text) : null,
		send.template ? templateLine(send.template) : null,
		recordDetails(send),
		callbackItems(send),
		jsonDetails('Request body', send.body, `${key}:body`),
		jsonDetails('Response', send.response, `${key}:response`),
	);
}

// --- the providers and the callbacks -----------------------------------------------------------

function providerCard(provider) {
	const calls = provider.registeredUrls.map((url) => el('p', { className: 'registered-url' }, `Registered: ${url}`));
	return el(
		'div',
		{ className: 'provider', dataset: { provider: provider.name } },
		el('h3', {}, badge(provider.name)),
		el('p', { className: provider.webhook ? 'webhook' : 'webhook none' }, provider.webhook ? `Set by hand: ${provider.webhook}` : 'No webhook set by hand'),
		calls.length ? calls : el('p', { className: 'none' }, 'Nothing registered through the API'),
		provider.registrations.length
			? jsonDetails(`${provider.registrations.length} registration record${provider.registrations.length === 1 ? '' : 's'}`, provider.registrations, `${provider.name}:registrations`)
			: null,
	);
}

function callbackRow(callback) {
	return el(
		'tr',
		{ dataset: { messageId: callback.messageId || '', event: callback.event } },
		el('td', {}, el('time', { dateTime: callback.at }, clock(callback.at))),
		el('td', {}, badge(callback.provider)),
		el('td', {}, callback.event),
		el('td', {}, el('code', {}, callback.messageId || '')),
		el('td', { className: 'url' }, callback.url, callback.registered ? ' (registered)' : ' (set by hand)'),
		el('td', {}, answerOf(callback)),
	);
}

// --- drawing and polling -------------------------------------------------------------------------

/** Replaces a container's content, keeping open the <details> that were open. */
function redraw(container, children) {
	const open = new Set([...container.querySelectorAll('details[open][data-key]')].map((details) => /** @type {HTMLElement} */ (details).dataset.key));
	container.replaceChildren(...children);
	for (const details of container.querySelectorAll('details[data-key]')) {
		if (open.has(/** @type {HTMLElement} */ (details).dataset.key)) /** @type {HTMLDetailsElement} */ (details).open = true;
	}
}

const shownOf = (shown, total) => (shown < total ? `(newest ${shown} of ${total})` : `(${total})`);

function render(data) {
	redraw(byId('provider-list'), data.providers.map(providerCard));
	redraw(byId('send-list'), data.sends.length ? data.sends.map(sendCard) : [el('p', { className: 'empty' }, 'No message yet: send one with WhatsApp Notify.')]);
	byId('sends-count').textContent = shownOf(data.sends.length, data.totals.sends);
	byId('callback-rows').replaceChildren(...data.callbacks.map(callbackRow));
	byId('callbacks-count').textContent = shownOf(data.callbacks.length, data.totals.callbacks);
	fillReplyDefaults(data);
}

async function refresh() {
	const status = byId('status');
	try {
		const response = await fetch('overview', { cache: 'no-store' });
		if (!response.ok) throw new Error(`HTTP ${response.status}`);
		const text = await response.text();
		if (text !== state.lastText) {
			render(JSON.parse(text));
			state.lastText = text;
		}
		status.className = 'status';
		status.textContent = `Updated ${clock(new Date().toISOString())}`;
	} catch (error) {
		status.className = 'status down';
		status.textContent = `The sandbox does not answer (${error.message}): is it still running?`;
	}
}

function poll() {
	refresh().finally(() => setTimeout(poll, document.hidden ? HIDDEN_POLL_MS : POLL_MS));
}

form().addEventListener('submit', sendReply);
poll();

export {};
