/**
 * Native SMTP settings: the Mailer choice fills the host, port, encryption and the username rule
 * of its relay while the admin picks (the server does the same when the form is saved, so this
 * is a convenience, not the rule), shows that provider's region list and where its credentials
 * come from. Works for the main relay and the backup relay (data-prefix "backup-").
 */
( function () {
	'use strict';

	var config = window.nativeSmtpPresets;
	if ( ! config || ! config.presets ) {
		return;
	}

	function byId( id ) {
		return document.getElementById( id );
	}

	// Marks a field this script made read-only, so choosing Other SMTP gives it back.
	function lock( field, locked ) {
		if ( ! field || field.disabled ) {
			return;
		}
		if ( locked ) {
			field.readOnly = true;
			field.setAttribute( 'data-native-smtp-preset-locked', '1' );
			field.title = config.locked;
		} else if ( field.getAttribute( 'data-native-smtp-preset-locked' ) ) {
			field.readOnly = false;
			field.removeAttribute( 'data-native-smtp-preset-locked' );
			field.title = '';
		}
	}

	function setEncryption( prefix, value ) {
		if ( prefix ) {
			var select = byId( 'native-smtp-' + prefix + 'encryption' );
			if ( select && ! select.disabled ) {
				select.value = value;
			}
			return;
		}
		var radio = byId( 'native-smtp-encryption-' + value );
		if ( radio && ! radio.disabled ) {
			radio.checked = true;
		}
	}

	function regionOf( select, slug ) {
		var chooser = byId( select.id + '-region-' + slug );
		return chooser ? chooser.value : '';
	}

	function apply( select, fill ) {
		var prefix = select.getAttribute( 'data-prefix' ) || '';
		var slug = select.value;
		var preset = config.presets[ slug ] || { help: [] };
		var other = slug === config.other;
		var host = byId( 'native-smtp-' + prefix + 'host' );
		var port = byId( 'native-smtp-' + prefix + 'port' );
		var username = byId( 'native-smtp-' + prefix + 'username' );
		var password = byId( 'native-smtp-' + prefix + 'password' );
		var auth = byId( 'native-smtp-' + prefix + 'auth' );

		// Only the chosen provider's region list.
		Array.prototype.forEach.call( select.parentNode.querySelectorAll( '.native-smtp-preset-region' ), function ( p ) {
			p.hidden = p.getAttribute( 'data-preset' ) !== slug;
		} );

		Array.prototype.forEach.call( select.parentNode.querySelectorAll( '.native-smtp-preset-note' ), function ( p ) {
			p.hidden = p.getAttribute( 'data-when' ) !== ( other ? 'other' : 'preset' );
		} );

		// Where the credentials come from.
		var help = byId( select.id + '-help' );
		if ( help ) {
			help.textContent = '';
			( preset.help || [] ).forEach( function ( line ) {
				var p = document.createElement( 'p' );
				p.className = 'description';
				p.textContent = line;
				help.appendChild( p );
			} );
		}

		if ( other ) {
			[ host, port, username ].forEach( function ( field ) {
				lock( field, false );
			} );
			if ( username && ! username.disabled ) {
				username.placeholder = '';
			}
			if ( password && ! password.disabled && password.getAttribute( 'data-native-smtp-placeholder' ) !== null ) {
				password.placeholder = password.getAttribute( 'data-native-smtp-placeholder' );
			}
			return;
		}

		if ( fill ) {
			var hosts = preset.hosts || {};
			var region = regionOf( select, slug );
			var value = hosts[ region ] !== undefined ? hosts[ region ] : hosts[ Object.keys( hosts )[ 0 ] ];
			if ( host && ! host.disabled && value ) {
				host.value = value;
			}
			if ( port && ! port.disabled ) {
				port.value = preset.port;
			}
			setEncryption( prefix, preset.encryption );
			if ( auth && ! auth.disabled ) {
				auth.checked = true;
			}
		}
		lock( host, true );
		lock( port, true );

		if ( username && ! username.disabled ) {
			if ( preset.username === 'fixed' ) {
				username.value = preset.usernameValue;
				lock( username, true );
			} else if ( preset.username === 'password' ) {
				username.value = '';
				lock( username, true );
			} else {
				lock( username, false );
			}
			username.placeholder = preset.usernameLabel || '';
		}
		if ( password && ! password.disabled ) {
			if ( password.getAttribute( 'data-native-smtp-placeholder' ) === null ) {
				password.setAttribute( 'data-native-smtp-placeholder', password.placeholder );
			}
			// A stored password keeps its "********"; an empty field says what goes in it.
			password.placeholder = password.getAttribute( 'data-native-smtp-placeholder' ) || preset.passwordLabel || '';
		}
	}

	Array.prototype.forEach.call( document.querySelectorAll( 'select.native-smtp-preset' ), function ( select ) {
		apply( select, false );
		select.addEventListener( 'change', function () {
			apply( select, true );
		} );
		Array.prototype.forEach.call( select.parentNode.querySelectorAll( '.native-smtp-preset-region select' ), function ( chooser ) {
			chooser.addEventListener( 'change', function () {
				apply( select, true );
			} );
		} );
	} );
} )();
