import type {
	ICredentialDataDecryptedObject,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

export class TwilioWhatsAppApi implements ICredentialType {
	name = 'twilioWhatsAppApi';

	displayName = 'Twilio WhatsApp API';

	icon: Icon = { light: 'file:twilio.svg', dark: 'file:twilio.dark.svg' };

	documentationUrl = 'https://www.twilio.com/docs/whatsapp/api';

	properties: INodeProperties[] = [
		{
			displayName: 'Account SID',
			name: 'accountSid',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'AC...',
			description: 'Twilio Console, Account Info',
		},
		{
			displayName: 'Auth Token',
			name: 'authToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Twilio Console, Account Info. Also checks the X-Twilio-Signature of status callbacks.',
		},
		{
			displayName: 'From Number',
			name: 'fromNumber',
			type: 'string',
			default: '',
			placeholder: '+14155238886',
			description: 'The WhatsApp sender in E.164. Leave empty when a Messaging Service SID is set.',
		},
		{
			displayName: 'Messaging Service SID',
			name: 'messagingServiceSid',
			type: 'string',
			default: '',
			placeholder: 'MG...',
			description: 'Optional. When set, messages go out through this Messaging Service instead of the From Number.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.twilio.com',
			description: 'Change only for a Twilio edge host, a proxy or a local sandbox',
		},
	];

	// A function rather than n8n's declarative form, which evaluates one expression per property
	// for every request (a data proxy and Luxon dates each time; far more in n8n 2.39's vm engine).
	authenticate = async (credentials: ICredentialDataDecryptedObject, request: IHttpRequestOptions): Promise<IHttpRequestOptions> => ({
		...request,
		auth: { username: String(credentials.accountSid ?? ''), password: String(credentials.authToken ?? '') },
	});

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '=/2010-04-01/Accounts/{{$credentials.accountSid}}.json',
			method: 'GET',
			// A redirect elsewhere must not take the credential with it.
			disableFollowRedirect: true,
		},
	};
}
