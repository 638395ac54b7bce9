/**
 * The vocabulary every provider module speaks. Provider modules are plain
 * functions over plain data (no n8n context), so the nodes, index.js and the
 * tests all call them the same way.
 */

export type ProviderName = 'smooch' | 'gupshup' | 'twilio';

/** What became of a message, the same words for every provider. */
export type DeliveryStatus = 'sent' | 'delivered' | 'seen' | 'discarded' | 'other';

export interface StatusError {
	code: string | number | null;
	message: string;
}

/** One provider status callback event, normalized. */
export interface StatusEvent {
	provider: ProviderName;
	status: DeliveryStatus;
	/** The provider's own word for the status (e.g. `undelivered`, `message:delivery:user`). */
	providerStatus: string;
	/** Equals the `messageId` WhatsApp Notify reported for the send; null for conversation-level read events. */
	messageId: string | null;
	/** The recipient's phone in E.164 when the callback carries it. */
	recipient: string | null;
	/** ISO 8601. */
	timestamp: string;
	error: StatusError | null;
	/** The same for the same provider event, so workflows can drop repeated callbacks. */
	eventId: string;
	conversationId?: string | null;
	userId?: string | null;
	raw: unknown;
}

/** What a status callback looks like when it reaches the trigger (or index.js). */
export interface StatusCallback {
	body: unknown;
	headers?: Record<string, string | string[] | undefined>;
	query?: Record<string, unknown>;
}

/** Everything needed to check that a callback is genuine. */
export interface CallbackToVerify extends StatusCallback {
	/** The URLs the provider may have called (used by signature schemes that sign the URL). */
	urls: string[];
	/** The raw request body, for schemes that hash it. */
	rawBody?: Buffer | string;
}

/** Credential values as n8n hands them to the node. */
export type ProviderSettings = Record<string, string | undefined>;

/** An HTTP request a provider module asks the transport to make. */
export interface SendRequest {
	method: 'POST';
	url: string;
	/** JSON object, or form fields (a string array for a repeated field). */
	body: Record<string, unknown>;
	encoding: 'json' | 'form';
}

export interface MessageToSend {
	recipient: string;
	message: string;
	/** The user's override, `_config` already taken out. */
	override: Record<string, unknown>;
	/** Credential values after `_config` was applied. */
	settings: ProviderSettings;
}

export interface ProviderError {
	code: string | number | null;
	message: string;
}

export interface Provider {
	name: ProviderName;
	displayName: string;
	credentialType: string;
	/** Credential fields a message's `_config` may replace (never a secret). */
	configurableSettings: readonly string[];
	/** Groups of alternative settings: when `_config` sets one, the credential's others are dropped. */
	exclusiveSettings?: ReadonlyArray<readonly string[]>;
	buildSendRequest(toSend: MessageToSend): SendRequest;
	/** The id that this provider's status callbacks carry, or undefined when the response has none. */
	readMessageId(responseBody: unknown): string | undefined;
	readError(responseBody: unknown, httpStatus: number): ProviderError;
	/**
	 * True when a refusal is the provider's own way of saying "too many requests, nothing was
	 * processed" (Gupshup 4001, Meta 130429 …) rather than HTTP 429. The transport then treats it
	 * as a 429: the message waits and is tried again, and the send rate goes down. Called only
	 * for answers that are not a 429 and carry no message id; absent means "only 429 throttles".
	 */
	isThrottled?(statusCode: number, responseBody: unknown): boolean;
	/** True when the body is in one of this provider's callback formats. */
	recognizes(body: unknown): boolean;
	/** Throws CallbackFormatError when the body is not this provider's. */
	parseCallback(callback: StatusCallback, receivedAt: Date): StatusEvent[];
	/** Whether the callback is genuine. `settings` is the trigger's credential. */
	verifyCallback(callback: CallbackToVerify, settings: ProviderSettings): boolean;
	/** True when the credential holds a secret that callbacks can be checked against. */
	canVerify(settings: ProviderSettings): boolean;
}

/** The body is not in a format this package reads. */
export class CallbackFormatError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'CallbackFormatError';
	}
}
