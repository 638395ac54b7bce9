'use strict';
// The programmatic face of the package: the same normalization the WhatsApp Status Trigger uses,
// for Code nodes and programs outside n8n. Build first (npm run build): this reads dist/.
const providers = require('./dist/nodes/providers');

module.exports = {
	normalizeStatusCallback: providers.normalizeStatusCallback,
	// { statuses, received }: the customer messages apart, as the trigger's Received output has them.
	normalizeCallback: providers.normalizeCallback,
	detectProvider: (body) => providers.detectProvider(body).name,
	CallbackFormatError: providers.CallbackFormatError,
};
