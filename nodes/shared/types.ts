/**
 * The vocabulary every provider module speaks. Provider modules are plain
 * functions over plain data (no n8n context), so the nodes, index.js and the
 * tests all call them the same way.
 */

/** What became of a message, the same words for every provider. */
export type DeliveryStatus = 'sent' | 'delivered' | 'seen' | 'discarded' | 'other';

export interface StatusError {
	code: string | number | null;
	message: string;
	/** The provider's longer explanation, when it gives one (Meta's `error_data.details`). */
	details?: string;
}

/** One provider status callback event, normalized. */
export interface StatusEvent {
	/** The provider's registry name (`ProviderName` in providers/index.ts). */
	provider: string;
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

/**
 * What a customer's message is, the same words for every provider. `button` is a reply button or a
 * template quick reply tapped; `interactive` is another choice from an interactive message (a list row).
 */
export type ReceivedType =
	| 'text'
	| 'button'
	| 'interactive'
	| 'image'
	| 'video'
	| 'audio'
	| 'document'
	| 'sticker'
	| 'location'
	| 'other';

/** The button or list row a customer chose: `id` is the id or payload the business gave it. */
export interface ReceivedButton {
	id: string;
	/** The label the customer saw, when the provider says. */
	title: string | null;
}

/** A file a customer sent: Meta and Gupshup v3 give a media id to download, the others a URL. */
export interface ReceivedMedia {
	id?: string;
	url?: string;
	mimeType: string | null;
	caption: string | null;
}

export interface ReceivedLocation {
	latitude: number;
	longitude: number;
	name: string | null;
	address: string | null;
}

/** One message a customer sent to the business number, normalized (the Status Trigger's Received output). */
export interface ReceivedMessage {
	/** The provider's registry name. */
	provider: string;
	kind: 'received';
	/** The customer: E.164 when the provider gives a number, else the provider's id for them (Meta's user id, Smooch's appUser id). */
	from: string | null;
	/** The business number it was sent to, E.164, when the callback names it. */
	to: string | null;
	/** The provider's id of this message. */
	messageId: string | null;
	/** ISO 8601. */
	timestamp: string;
	type: ReceivedType;
	/** What the customer wrote (a media message's caption too), or the label of the button tapped. */
	text: string | null;
	button: ReceivedButton | null;
	media: ReceivedMedia | null;
	location: ReceivedLocation | null;
	/** The id of the message this one answers (the message whose button was tapped), when the provider gives it. */
	replyTo: string | null;
	/** The customer's WhatsApp profile name, when the provider gives it. */
	profileName: string | null;
	/** The same for the same message, so workflows can drop repeated callbacks. */
	eventId: string;
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

/** The kinds of file WhatsApp sends as a media message. */
export type MediaKind = 'image' | 'document' | 'video' | 'audio';

/** An approved WhatsApp template, with the values for its body's {{1}}, {{2}}, … in order. */
export interface TemplateContent {
	type: 'template';
	/** Twilio's Content SID (HX…), Gupshup's template id, or the template name (Smooch, Meta). */
	template: string;
	/** The template's language code, for the providers that address a template by name and language. */
	language: string;
	variables: string[];
	/** A public URL for the header of a template whose header is an image, a document or a video. */
	headerMediaUrl?: string;
	/** The payloads of the template's quick-reply buttons, by the buttons' order in the template (absent: the template's own). */
	quickReplyPayloads?: string[];
}

/** A reply button on a text message: WhatsApp shows its title, and the customer's tap brings its id back. */
export interface ReplyButton {
	id: string;
	title: string;
}

/** A file sent as an image, document, video or audio message. */
export interface MediaContent {
	type: 'media';
	mediaType: MediaKind;
	url: string;
	/** The name a document shows. */
	fileName?: string;
	/** Shown under an image, a video or a document; WhatsApp has no caption on audio. */
	caption?: string;
}

/** What a message carries when it is not free text. */
export type MessageContent = TemplateContent | MediaContent;

export interface MessageToSend {
	recipient: string;
	/** The text of a text message (unused when `content` is set). */
	message: string;
	/** A template or a media file; absent for a text message. */
	content?: MessageContent;
	/** Reply buttons under a text message (at most three, checked before this is built). */
	buttons?: ReplyButton[];
	/**
	 * The provider's own content that carries the buttons, made through the credential before the
	 * send (Twilio's quick-reply Content SID; see Provider.buttonContent).
	 */
	buttonContentSid?: string;
	/** The user's override, `_config` already taken out. */
	override: Record<string, unknown>;
	/** Credential values after `_config` was applied. */
	settings: ProviderSettings;
}

/** An approved template as a provider's template list describes it. */
export interface TemplateSummary {
	/** What the template field takes: a Content SID, a Gupshup template id, or a template name. */
	id: string;
	name: string;
	language: string | null;
	/** How many {{n}} variables the template has, when the provider says. */
	variableCount: number | null;
	/** The kind of header media the template expects, if any. */
	headerMedia: 'image' | 'document' | 'video' | null;
}

/** Lists a credential's approved templates: a request to make, and a reader for the answer. */
export interface TemplateListing {
	request(settings: ProviderSettings): { method: 'GET'; url: string };
	/** The approved templates in the answer; throws when the answer is not a template list. */
	readTemplates(responseBody: unknown): TemplateSummary[];
}

export interface ProviderError {
	code: string | number | null;
	message: string;
}

/** A webhook's GET answer, for providers that verify the URL before sending callbacks to it. */
export interface HandshakeAnswer {
	statusCode: number;
	/** Plain text. */
	body: string;
}

/** A request a provider module asks for while registering, finding or removing the trigger's callback. */
export interface RegistrationRequest {
	method: 'GET' | 'POST' | 'DELETE';
	url: string;
	/** JSON object, or form fields (a string array for a repeated field). */
	body?: Record<string, unknown>;
	encoding?: 'json' | 'form';
	/** In a removal, a step whose failure is logged (saying this) rather than failing the removal. */
	bestEffort?: string;
}

/**
 * What registering the trigger's URL made at the provider, kept in the node's static data:
 * enough to find it again, to remove exactly it, and to check the callbacks it sends. No secret
 * is kept in the clear: static data is part of the workflow's JSON that anyone who can read the
 * workflow sees (REST, the public API, an export).
 */
export interface RegisteredCallback {
	provider: string;
	/** The URL registered (the test or the production URL). */
	url: string;
	/** The account it was made in (the value of CallbackRegistration.accountSetting): removed there, whatever the credential says now. */
	account?: string;
	/** This trigger's mark (its n8n, workflow, node, and test or production), where the provider keeps one. */
	mark?: string;
	/** A secret the provider issued (Smooch's), sealed with a key derived from the credential. */
	sealedSecret?: string;
	/** A secret in the clear, as earlier versions kept it: such a registration is made again at the next activation. */
	secret?: string;
	/** The provider's ids of what was made (webhook, subscription, sink …). */
	ids: Record<string, string>;
	/** True when it takes customers' messages too (a version 2 trigger with Receive Customer Messages on). */
	receives?: boolean;
	/** Meta: the URL that had the number's events before this trigger's override, and where it was set. */
	displaced?: DisplacedCallback;
}

/** Where a phone number's events went before the trigger's override took them (Meta). */
export interface DisplacedCallback {
	url: string;
	/** Which of Meta's settings held it: the number's own override, the WABA's, or the app's URL. */
	level: 'phone_number' | 'whatsapp_business_account' | 'application';
}

/** One registration the provider's list holds, as the trigger reads it. */
export interface ListedCallback {
	ids: Record<string, string>;
	/** Where it sends callbacks. */
	url: string;
	/** The trigger mark it carries (a Twilio sink's description, a Gupshup tag, a Smooch target), or null. */
	mark: string | null;
	/** The events it subscribes to, when the list says (Smooch's triggers, Gupshup's modes). */
	events?: string[];
}

/** What the provider's list says. */
export interface RegistrationLookup {
	callbacks: ListedCallback[];
	/** Meta: where the number's events go now, each level Meta reports. */
	routes?: Partial<Record<DisplacedCallback['level'], string>>;
}

/** One request of a registration, and the reader of its answer. */
export interface RegistrationStep {
	request(settings: ProviderSettings, made: RegisteredCallback): RegistrationRequest;
	/** What the answer adds to what was made; throws when the answer is not what the provider documents. */
	read(responseBody: unknown, made: RegisteredCallback): RegisteredCallback;
}

/**
 * How the Status Trigger registers its own URL with the provider when the workflow is activated,
 * and removes it when deactivated (n8n's webhookMethods). Plain requests and readers, like
 * TemplateListing: the trigger carries them through the credential.
 */
export interface CallbackRegistration {
	/** What the Status Trigger's panel says happens when it registers itself (the manual steps are Provider.setupNotice). */
	setupNotice: string;
	/** True when the provider calls only https URLs. */
	requiresHttps: boolean;
	/** The credential setting that names the account registrations are made in (app id, account SID, phone number id). */
	accountSetting: string;
	/** True when the account is part of the API's URLs, so a registration can be removed there with the credential's keys. */
	accountInUrl: boolean;
	/** True when the account holds one URL (Meta's number): a new registration replaces the old instead of standing beside it. */
	oneSlot?: boolean;
	/**
	 * Whether a Status Trigger registered as `listed` gets customers' taps with their button ids, so
	 * it could end a Send and Wait (which checks for one before sending).
	 */
	endsWaits(listed: ListedCallback): boolean;
	/** The credential setting whose role the registration's secret takes when callbacks are checked. */
	secretSetting?: string;
	/** The secret for a registration of `url`, derived from the credential: nothing to keep (Gupshup's token, Meta's verify token). */
	secretFor?(settings: ProviderSettings, url: string): string;
	/** The credential setting whose value seals a secret the provider issues (Smooch's webhook secret). */
	sealWith?: string;
	/** Throws, saying what to set, when the credential lacks something registration needs. */
	checkSettings(settings: ProviderSettings): void;
	/** The requests that list what the account has registered. */
	lookup(settings: ProviderSettings): RegistrationRequest[];
	/** Reads their answers, in order. */
	readLookup(responseBodies: unknown[]): RegistrationLookup;
	/** A further check that a registration found in the list still does its job (a Twilio sink's subscription and event types). */
	inspect?: {
		request(settings: ProviderSettings, registered: RegisteredCallback): RegistrationRequest | undefined;
		complete(responseBody: unknown): boolean;
	};
	/** The requests that register the URL, in order. */
	create: RegistrationStep[];
	/** The requests that remove exactly what was made, in order. */
	remove(settings: ProviderSettings, registered: RegisteredCallback): RegistrationRequest[];
	/** What to do about a refusal (a 401, a cap, a failed URL check), in one short sentence. */
	advice(statusCode: number, responseBody: unknown): string;
}

/**
 * Everything about one provider, in one module. The registry (providers/index.ts) lists them;
 * the nodes' provider choices, credentials and setup notices are derived from it.
 */
export interface Provider<Name extends string = string> {
	name: Name;
	displayName: string;
	credentialType: string;
	/** The steps shown in the Status Trigger's panel: where to paste the URL in the provider's console. */
	setupNotice: string;
	/** What the Template parameter's "By ID" takes: 'the template name', 'the Content SID (HX…)'. */
	templateReference: string;
	/** True when a document message can carry a file name: the node shows File Name only then. */
	documentFileName: boolean;
	/**
	 * True when a template's header file (image, document, video) is given with each message: the
	 * node shows Header Media URL only then. Twilio's Content templates carry their own.
	 */
	templateHeaderMedia: boolean;
	/**
	 * The credential field's name for the callback secret when sending works without it
	 * ('Webhook Secret'), so a credential may lack one; absent when every credential has it.
	 */
	optionalCallbackSecret?: string;
	/**
	 * Credential fields a message's `_config` may replace (never a secret), each with the
	 * shape its value must have: values end up in URLs and sender fields, so nothing else passes.
	 */
	configurableSettings: Readonly<Record<string, RegExp>>;
	/**
	 * Paths in the request body that carry the recipient. The override may neither set nor
	 * remove them, so what is sent is always the validated number the output reports.
	 */
	recipientFields: ReadonlyArray<readonly string[]>;
	/** Groups of alternative settings: when `_config` sets one, the credential's others are dropped. */
	exclusiveSettings?: ReadonlyArray<readonly string[]>;
	buildSendRequest(toSend: MessageToSend): SendRequest;
	/**
	 * True when the provider addresses a template by name and language (Smooch, Meta): the node
	 * asks for the Template Language. Others' templates carry their own language.
	 */
	templatesByLanguage: boolean;
	/** How to list the credential's approved templates; absent when the provider has no API for it. */
	templateListing?: TemplateListing;
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
	/**
	 * The provider whose callback format this one relays with markers of its own (Gupshup v3 is
	 * Meta's envelope plus `gs_app_id` and `gs_id`). `recognizes` claims only bodies with those
	 * markers; a body both claim is this provider's, so the relayed provider needs no list of relays.
	 */
	relays?: string;
	/** Throws CallbackFormatError when the body is not this provider's. */
	parseCallback(callback: StatusCallback, receivedAt: Date): StatusEvent[];
	/**
	 * The customer messages in a callback (the Received output); [] when it holds none. Every
	 * message becomes one, even of a type this package does not know (`other`, with `raw`). Never
	 * throws for a body parseCallback accepts.
	 */
	parseReceived(callback: StatusCallback, receivedAt: Date): ReceivedMessage[];
	/**
	 * True for a status event parseCallback makes of a customer's message, which went to Other before
	 * the Received output existed. A trigger with Received leaves it out of Other: parseReceived has it.
	 */
	isCustomerMessage(event: StatusEvent): boolean;
	/**
	 * Whether the callback is genuine. `settings` is the trigger's credential. Never throws,
	 * whatever the body holds: it runs on requests from anyone.
	 */
	verifyCallback(callback: CallbackToVerify, settings: ProviderSettings): boolean;
	/** True when the credential holds a secret that callbacks can be checked against. */
	canVerify(settings: ProviderSettings): boolean;
	/**
	 * The answer to a GET on the trigger's URL, for providers that verify the URL first
	 * (Meta's `hub.challenge`). Without it, a GET is refused. Never throws.
	 */
	answerHandshake?(request: StatusCallback, settings: ProviderSettings): HandshakeAnswer;
	/** How the Status Trigger registers its URL itself; absent when the provider has no API for it. */
	registration?: CallbackRegistration;
	/**
	 * True when this callback's events also arrive through what the trigger registered, so it is
	 * acknowledged and dropped while a registration is in place (Twilio's classic Status Callback
	 * beside Event Streams on the same URL: one status, two callbacks).
	 */
	alsoArrivesThroughRegistration?(body: unknown): boolean;
	/**
	 * The credential fields that name the account and hold its secret. Send and Wait's buttons are
	 * signed with a key derived from them, so only a Status Trigger with this account's credential
	 * can resume a wait.
	 */
	waitKeySettings: readonly string[];
	/** For a provider whose reply buttons live in content made beforehand (Twilio): how to find or make it. */
	buttonContent?: ButtonContent;
}

/**
 * Content that must exist at the provider before a message can carry reply buttons (Twilio's
 * Content API: a quick-reply content whose body, titles and ids are variables, made once per
 * number of buttons and found again by its name).
 */
export interface ButtonContent {
	/** The request that lists the account's content. */
	lookup(settings: ProviderSettings): RegistrationRequest;
	/** The SID of the content for this many buttons, when the list holds it. */
	readLookup(responseBody: unknown, buttonCount: number): string | undefined;
	create(settings: ProviderSettings, buttonCount: number): RegistrationRequest;
	/** The SID of the content made; throws when the answer is not what the provider documents. */
	readCreated(responseBody: unknown): string;
}

/** The body is not in a format this package reads. */
export class CallbackFormatError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'CallbackFormatError';
	}
}
