/**
 * Native SMTP settings: choosing None / SSL / TLS sets the SMTP Port to 25 / 465 / 587,
 * unless the user typed a port of their own.
 */
( function () {
	'use strict';

	var defaults = window.nativeSmtpDefaultPorts || { none: 25, ssl: 465, tls: 587 };
	var port = document.getElementById( 'native-smtp-port' );
	var radios = document.querySelectorAll( 'input[name="native_smtp_options[encryption]"]' );
	if ( ! port || ! radios.length ) {
		return;
	}

	function isDefaultPort( value ) {
		return Object.keys( defaults ).some( function ( key ) {
			return String( defaults[ key ] ) === String( value );
		} );
	}

	// A saved port that is one of the defaults counts as "not typed": switching encryption moves it.
	var typedByUser = port.value !== '' && ! isDefaultPort( port.value );

	port.addEventListener( 'input', function () {
		typedByUser = port.value !== '';
	} );

	Array.prototype.forEach.call( radios, function ( radio ) {
		radio.addEventListener( 'change', function () {
			if ( radio.checked && ! typedByUser && ! port.disabled && defaults[ radio.value ] ) {
				port.value = defaults[ radio.value ];
			}
		} );
	} );
} )();

/**
 * DKIM tab: a Copy button next to the record's name and value puts that text on the clipboard.
 */
( function () {
	'use strict';

	Array.prototype.forEach.call( document.querySelectorAll( '.native-smtp-copy' ), function ( button ) {
		button.addEventListener( 'click', function () {
			var source = document.getElementById( button.getAttribute( 'data-copy' ) );
			if ( ! source ) {
				return;
			}
			source.select();
			var done = function () {
				button.classList.add( 'native-smtp-copied' );
			};
			if ( navigator.clipboard && window.isSecureContext ) {
				navigator.clipboard.writeText( source.value ).then( done, function () {} );
			} else if ( document.execCommand( 'copy' ) ) { // Plain-http admin: the Clipboard API is not offered there.
				done();
			}
		} );
	} );
} )();
