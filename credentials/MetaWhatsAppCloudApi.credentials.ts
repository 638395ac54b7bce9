import type {
	ICredentialDataDecryptedObject,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

export class MetaWhatsAppCloudApi implements ICredentialType {
	// Not `whatsAppApi`: that is n8n's built-in WhatsApp credential.
	name = 'metaWhatsAppCloudApi';

	displayName = 'Meta WhatsApp Cloud API';

	icon: Icon = { light: 'file:meta.svg', dark: 'file:meta.dark.svg' };

	documentationUrl = 'https://developers.facebook.com/docs/whatsapp/cloud-api/get-started';

	properties: INodeProperties[] = [
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'A System User access token with whatsapp_business_messaging (Meta Business Settings, Users, System users), or the temporary token from the App Dashboard’s WhatsApp API Setup',
		},
		{
			displayName: 'Phone Number ID',
			name: 'phoneNumberId',
			type: 'string',
			default: '',
			required: true,
			placeholder: '106540352242922',
			description: 'The sender’s Phone Number ID (App Dashboard: WhatsApp, API Setup), not the phone number itself',
		},
		{
			displayName: 'WhatsApp Business Account ID',
			name: 'businessAccountId',
			type: 'string',
			default: '',
			placeholder: '102290129340398',
			description: 'The WhatsApp Business Account ID shown beside the Phone Number ID, for listing message templates',
		},
		{
			displayName: 'App Secret',
			name: 'appSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'App Dashboard: App settings, Basic, App secret. The WhatsApp Status Trigger checks every callback’s X-Hub-Signature-256 with it.',
		},
		{
			displayName: 'Verify Token',
			name: 'verifyToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'A long random string you choose and also paste as the Verify token in the App Dashboard (WhatsApp, Configuration, Webhook). The trigger answers Meta’s URL check only when they match.',
		},
		{
			displayName: 'API Version',
			name: 'apiVersion',
			type: 'string',
			default: 'v24.0',
			placeholder: 'v24.0',
			description: 'The Graph API version in the request path',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://graph.facebook.com',
			description: 'Change only for a proxy or a local sandbox',
		},
	];

	// A function rather than n8n's declarative form, which evaluates one expression per property
	// for every request (a data proxy and Luxon dates each time; far more in n8n 2.39's vm engine).
	authenticate = async (credentials: ICredentialDataDecryptedObject, request: IHttpRequestOptions): Promise<IHttpRequestOptions> => ({
		...request,
		headers: { ...request.headers, Authorization: `Bearer ${String(credentials.accessToken ?? '')}` },
	});

	// Reads the sender's phone number: cheap, and it proves the token can reach that number.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '={{"/" + $credentials.apiVersion + "/" + $credentials.phoneNumberId}}',
			method: 'GET',
			// A redirect elsewhere must not take the credential with it.
			disableFollowRedirect: true,
		},
	};
}
