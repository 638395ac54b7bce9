// Copies node and credential icons next to the compiled files, where n8n looks for them.
const path = require('path');
const { parallel, task, src, dest } = require('gulp');

const copy = (folder) =>
	function copyIcons() {
		return src(path.resolve(folder, '**', '*.{png,svg,json}'), { encoding: false }).pipe(
			dest(path.resolve('dist', folder)),
		);
	};

task('build:icons', parallel(copy('nodes'), copy('credentials')));
