<?php
/**
 * For the multisite tests (the rig's network, NATIVE_SMTP_RIG_MULTISITE=1): the network's settings
 * kept and put back, the rig's second site /site2/ found, and the test ended on the main site.
 */

defined( 'ABSPATH' ) || exit;

trait NetworkRig {

	/** @var mixed the network's settings before the test (null: absent) */
	private $saved_network;

	/** @var int the blog ID of /site2/ */
	private $site2 = 0;

	/** Asserts that this is the rig's network; keeps the network's settings; finds /site2/. */
	private function setUpNetwork(): void {
		$this->assertTrue( is_multisite(), 'run with NATIVE_SMTP_RIG_MULTISITE=1 against the rig\'s network' );
		$this->saved_network = get_site_option( Native_SMTP_Options::NETWORK_OPTION, null );
		$sites               = get_sites( array( 'path' => '/site2/', 'fields' => 'ids' ) );
		$this->assertCount( 1, $sites, 'the rig made /site2/' );
		$this->site2 = (int) $sites[0];
	}

	/** Back on the main site (a failed test may have left a switch_to_blog()), the network's settings put back. */
	private function tearDownNetwork(): void {
		while ( ms_is_switched() ) {
			restore_current_blog();
		}
		if ( null === $this->saved_network ) {
			delete_site_option( Native_SMTP_Options::NETWORK_OPTION );
		} else {
			update_site_option( Native_SMTP_Options::NETWORK_OPTION, $this->saved_network );
		}
	}

	/** Removes the settings a test gave /site2/ (the base class puts back only the main site's). */
	private function clearSite2Settings(): void {
		switch_to_blog( $this->site2 );
		delete_option( Native_SMTP_Options::OPTION );
		restore_current_blog();
	}
}
