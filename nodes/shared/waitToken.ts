/**
 * Send and Wait's buttons and how a tap resumes the waiting execution: the one home of the
 * wait token, its signing and the resume call.
 *
 * Each button's id is a wait token: `wnw1.<mac>.<recipient tag>.<n8n signature>.<resume URL>`.
 * The resume URL is n8n's own for this execution, node and answer (`getSignedResumeUrl`,
 * `?approved=true` or `?choice=1`), and its n8n signature travels with it: the Status Trigger
 * cannot compute it, and n8n checks it before it resumes a send-and-wait node. The `mac` is an
 * HMAC over everything else with a key derived from the provider credential's account and
 * secret, so only this account's Status Trigger can read a token as genuine, and no one without
 * the credential can make one (a forged tap). The recipient tag binds the token to the number
 * the question was sent to. A tap already used is refused when it comes again (a replay).
 *
 * The trigger then POSTs the answer to the resume URL, signed with the same key; the waiting
 * node checks that signature too, so knowing the resume URL alone resumes nothing.
 */

import { createHmac, timingSafeEqual } from 'crypto';

import type { Provider, ProviderSettings, ReceivedMessage } from './types';

export const WAIT_TOKEN_PREFIX = 'wnw1.';

/** The header that carries the trigger's signature of a resume request. */
export const RESUME_SIGNATURE_HEADER = 'x-whatsapp-notify-signature';

/** n8n's query parameter for a resume URL's signature (n8n-core's WAITING_TOKEN_QUERY_PARAM, 1.123 to 2.39). */
const N8N_SIGNATURE = '&signature=';

const base64url = (bytes: Buffer) => bytes.toString('base64url');

/**
 * The key that signs an account's wait tokens, derived from the credential fields the provider
 * names (its account and its secret), so a Status Trigger with a credential of the same account
 * derives the same key. Throws, naming the field, when the credential lacks one.
 */
export function waitKey(provider: Provider, settings: ProviderSettings): Buffer {
	const values = provider.waitKeySettings.map((field) => {
		const value = settings[field];
		if (!value) throw new Error(`the ${provider.displayName} credential has no ${field}, from which Send and Wait's buttons are signed`);
		return value;
	});
	return createHmac('sha256', 'whatsapp-notify wait key v1').update(JSON.stringify([provider.name, ...values])).digest();
}

const mac = (key: Buffer, ...parts: string[]) => base64url(createHmac('sha256', key).update(parts.join('\n')).digest().subarray(0, 16));
const recipientTag = (key: Buffer, recipient: string) => mac(key, 'recipient', recipient).slice(0, 11);

function sameText(a: string, b: string): boolean {
	const left = Buffer.from(a);
	const right = Buffer.from(b);
	return left.length === right.length && timingSafeEqual(left, right);
}

/** The button id for one answer: `signedResumeUrl` is what n8n's getSignedResumeUrl gave for it. */
export function makeWaitToken(key: Buffer, signedResumeUrl: string, recipient: string): string {
	const at = signedResumeUrl.lastIndexOf(N8N_SIGNATURE);
	const signature = signedResumeUrl.slice(at + N8N_SIGNATURE.length);
	if (at < 0 || !/^[0-9a-f]{64}$/.test(signature)) throw new Error('the resume URL carries no n8n signature');
	const url = signedResumeUrl.slice(0, at);
	const fields = [recipientTag(key, recipient), base64url(Buffer.from(signature, 'hex')), url];
	return `${WAIT_TOKEN_PREFIX}${mac(key, ...fields)}.${fields.join('.')}`;
}

/** What a genuine token holds. */
export interface WaitToken {
	/** n8n's signed resume URL, exactly as getSignedResumeUrl made it. */
	resumeUrl: string;
	recipientTag: string;
	/** The token's MAC: what a replay is recognized by. */
	mac: string;
}

/** The token read and checked; undefined when it is not one this key made (forged, or another account's). */
export function readWaitToken(key: Buffer, id: string): WaitToken | undefined {
	if (!id.startsWith(WAIT_TOKEN_PREFIX)) return undefined;
	const parts = id.slice(WAIT_TOKEN_PREFIX.length).split('.');
	if (parts.length < 4) return undefined;
	const [given, tag, signature] = parts;
	const url = parts.slice(3).join('.');
	if (!sameText(given, mac(key, tag, signature, url))) return undefined;
	return { resumeUrl: `${url}${N8N_SIGNATURE}${Buffer.from(signature, 'base64url').toString('hex')}`, recipientTag: tag, mac: given };
}

/** True when `from` (E.164) is the number the token's question was sent to. */
export function isTokenRecipient(key: Buffer, token: WaitToken, from: string): boolean {
	return sameText(token.recipientTag, recipientTag(key, from));
}

/** The answer the trigger sends to the resume URL; the waiting node checks it with the same key. */
export interface ResumeAnswer {
	token: string;
	from: string | null;
	profileName: string | null;
	answeredAt: string;
	/** The provider's id of the customer's reply. */
	messageId: string | null;
	/** The button's title as the customer saw it. */
	title: string | null;
	provider: string;
}

const ANSWER_FIELDS = ['token', 'from', 'profileName', 'answeredAt', 'messageId', 'title', 'provider'] as const;

/** The signature of an answer: over its fields in a fixed order, so it does not depend on how JSON was re-serialized. */
export function signAnswer(key: Buffer, answer: ResumeAnswer): string {
	return createHmac('sha256', key)
		.update(JSON.stringify(ANSWER_FIELDS.map((field) => answer[field])))
		.digest('hex');
}

/** The answer in a resume request, when its signature is this key's and its token is genuine; else undefined. */
export function checkAnswer(key: Buffer, body: unknown, signature: unknown): ResumeAnswer | undefined {
	if (typeof body !== 'object' || body === null || typeof signature !== 'string') return undefined;
	const fields = body as Record<string, unknown>;
	const text = (value: unknown) => (typeof value === 'string' ? value : null);
	const answer: ResumeAnswer = {
		token: text(fields.token) ?? '',
		from: text(fields.from),
		profileName: text(fields.profileName),
		answeredAt: text(fields.answeredAt) ?? '',
		messageId: text(fields.messageId),
		title: text(fields.title),
		provider: text(fields.provider) ?? '',
	};
	if (!sameText(signature, signAnswer(key, answer)) || !readWaitToken(key, answer.token)) return undefined;
	return answer;
}

/** What a tap needs of a customer's message. */
export type Tap = Pick<ReceivedMessage, 'provider' | 'from' | 'messageId' | 'eventId' | 'timestamp' | 'profileName' | 'button'>;

/** True when the message is a tap on one of Send and Wait's buttons. */
export const isWaitTap = (message: Pick<Tap, 'button'>): boolean => message.button?.id.startsWith(WAIT_TOKEN_PREFIX) === true;

/** How the trigger reaches the resume URL: a plain POST (no credential travels to n8n's own URL). */
export type PostJson = (url: string, body: ResumeAnswer, headers: Record<string, string>) => Promise<{ statusCode: number; body: unknown }>;

/**
 * The taps used so far in this process, by token and message: the same tap again is a replay.
 * Kept a day (WhatsApp's retries and the providers' are minutes), and at most this many.
 */
const usedTaps = new Map<string, number>();
const USED_TAP_LIMIT = 50_000;
const USED_TAP_DAY_MS = 24 * 60 * 60 * 1000;

function markUsed(key: string, now: number): boolean {
	const at = usedTaps.get(key);
	if (at !== undefined && now - at < USED_TAP_DAY_MS) return false;
	usedTaps.set(key, now);
	if (usedTaps.size > USED_TAP_LIMIT) usedTaps.delete(usedTaps.keys().next().value as string);
	return true;
}

/** For tests: forget the taps used. */
export function forgetUsedTaps(): void {
	usedTaps.clear();
}

/** A phone number as the providers give it: only then can the recipient be checked (Meta may give a user id). */
const E164 = /^\+[1-9]\d{6,14}$/;

export type ResumeOutcome = 'resumed' | 'not-a-wait' | 'rejected' | 'unanswered';

/**
 * Resumes the execution a tap answers. `rejected`: the token is not this account's, was sent to
 * another number, or this tap was used already; nothing is resumed and the callback gets 401.
 * `not-a-wait`: genuine, but no execution waits for it any more (answered, timed out, deleted):
 * the message goes to Received. `resumed`: the waiting node took the answer. `unanswered`: n8n
 * did not answer the resume request; the tap is not counted as used, so the provider's resend can try again.
 */
export async function resumeFromReply(tap: Tap, key: Buffer, post: PostJson, now = Date.now()): Promise<ResumeOutcome> {
	const id = tap.button?.id ?? '';
	const token = readWaitToken(key, id);
	if (!token) return 'rejected';
	if (tap.from && E164.test(tap.from) && !isTokenRecipient(key, token, tap.from)) return 'rejected';
	if (!markUsed(`${token.mac}\n${tap.messageId ?? tap.eventId}`, now)) return 'rejected';
	const answer: ResumeAnswer = {
		token: id,
		from: tap.from,
		profileName: tap.profileName,
		answeredAt: tap.timestamp,
		messageId: tap.messageId,
		title: tap.button?.title ?? null,
		provider: tap.provider,
	};
	let response;
	try {
		response = await post(token.resumeUrl, answer, { [RESUME_SIGNATURE_HEADER]: signAnswer(key, answer) });
	} catch {
		// n8n did not answer: the tap may be tried again (the provider resends what was not acknowledged).
		usedTaps.delete(`${token.mac}\n${tap.messageId ?? tap.eventId}`);
		return 'unanswered';
	}
	const resumed = response.statusCode === 200 && typeof response.body === 'object' && response.body !== null && (response.body as { resumed?: unknown }).resumed === true;
	return resumed ? 'resumed' : 'not-a-wait';
}
