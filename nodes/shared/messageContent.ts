/**
 * Small facts about templates and media that every provider module needs:
 * which header a file makes, its MIME type, and how many variables a template body has.
 */

import type { MediaKind } from './types';

const EXTENSION_TYPES: Record<string, { kind: MediaKind; mime: string }> = {
	jpg: { kind: 'image', mime: 'image/jpeg' },
	jpeg: { kind: 'image', mime: 'image/jpeg' },
	png: { kind: 'image', mime: 'image/png' },
	webp: { kind: 'image', mime: 'image/webp' },
	mp4: { kind: 'video', mime: 'video/mp4' },
	'3gp': { kind: 'video', mime: 'video/3gpp' },
	'3gpp': { kind: 'video', mime: 'video/3gpp' },
	mp3: { kind: 'audio', mime: 'audio/mpeg' },
	ogg: { kind: 'audio', mime: 'audio/ogg' },
	opus: { kind: 'audio', mime: 'audio/ogg' },
	aac: { kind: 'audio', mime: 'audio/aac' },
	amr: { kind: 'audio', mime: 'audio/amr' },
	m4a: { kind: 'audio', mime: 'audio/mp4' },
	pdf: { kind: 'document', mime: 'application/pdf' },
	txt: { kind: 'document', mime: 'text/plain' },
	csv: { kind: 'document', mime: 'text/csv' },
	doc: { kind: 'document', mime: 'application/msword' },
	docx: { kind: 'document', mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
	xls: { kind: 'document', mime: 'application/vnd.ms-excel' },
	xlsx: { kind: 'document', mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
	ppt: { kind: 'document', mime: 'application/vnd.ms-powerpoint' },
	pptx: { kind: 'document', mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation' },
};

/** When the extension says nothing: what WhatsApp most often gets for each kind. */
const DEFAULT_MIME: Record<MediaKind, string | undefined> = {
	image: 'image/jpeg',
	video: 'video/mp4',
	audio: 'audio/mpeg',
	document: undefined,
};

/** The last part of a URL's path, decoded: what a file is called when no name was given. */
export function fileNameOf(url: string): string {
	try {
		const segments = new URL(url).pathname.split('/').filter(Boolean);
		return decodeURIComponent(segments[segments.length - 1] ?? '');
	} catch {
		return '';
	}
}

function extensionOf(name: string): string {
	const match = /\.([a-z0-9]+)$/i.exec(name);
	return match ? match[1].toLowerCase() : '';
}

function typeOf(name: string): { kind: MediaKind; mime: string } | undefined {
	const extension = extensionOf(name);
	return Object.prototype.hasOwnProperty.call(EXTENSION_TYPES, extension) ? EXTENSION_TYPES[extension] : undefined;
}

/**
 * The header a template's media makes, from the file's extension. WhatsApp's headers take
 * JPEG or PNG images and MP4 or 3GPP videos; anything else goes as a document.
 */
function headerMediaKind(url: string): 'image' | 'video' | 'document' {
	const kind = typeOf(fileNameOf(url))?.kind;
	return kind === 'image' || kind === 'video' ? kind : 'document';
}

/** The MIME type of a media file, from its name or URL; undefined for a document of unknown type. */
export function mimeTypeOf(kind: MediaKind, url: string, fileName?: string): string | undefined {
	const known = typeOf(fileName || fileNameOf(url));
	return known && known.kind === kind ? known.mime : DEFAULT_MIME[kind];
}

/** How many distinct {{1}}, {{2}}, … a template text holds. */
export function countTemplateVariables(text: unknown): number {
	if (typeof text !== 'string') return 0;
	return new Set([...text.matchAll(/\{\{\s*(\d+)\s*\}\}/g)].map((match) => match[1])).size;
}

/**
 * A template header's media as WhatsApp's template parameters spell it, e.g.
 * `{"type": "document", "document": {"link": "…", "filename": "invoice.pdf"}}`.
 */
export function headerMediaParameter(url: string): Record<string, unknown> {
	const kind = headerMediaKind(url);
	const media: Record<string, unknown> = { link: url };
	if (kind === 'document') media.filename = fileNameOf(url);
	return { type: kind, [kind]: media };
}
