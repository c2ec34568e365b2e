<?php
/**
 * Privacy: the email log holds addresses, subjects and maybe bodies. Registers an exporter and an
 * eraser for an email address (Tools -> Export / Erase Personal Data) and suggested text for the
 * site's privacy policy.
 *
 * @package Native_SMTP
 */

defined( 'ABSPATH' ) || exit;

/**
 * Exporter, eraser and policy text.
 */
class Native_SMTP_Privacy {

	/** Rows handled per exporter / eraser page. */
	const PAGE_SIZE = 50;

	/**
	 * Hooks in.
	 */
	public static function register_hooks() {
		add_filter( 'wp_privacy_personal_data_exporters', array( __CLASS__, 'add_exporter' ) );
		add_filter( 'wp_privacy_personal_data_erasers', array( __CLASS__, 'add_eraser' ) );
		add_action( 'admin_init', array( __CLASS__, 'add_policy_text' ) );
	}

	/**
	 * Registers the exporter.
	 *
	 * @param array $exporters Exporters.
	 * @return array
	 */
	public static function add_exporter( $exporters ) {
		$exporters['native-smtp'] = array(
			'exporter_friendly_name' => __( 'Native SMTP email log', 'native-smtp' ),
			'callback'               => array( __CLASS__, 'export' ),
		);
		return $exporters;
	}

	/**
	 * Registers the eraser.
	 *
	 * @param array $erasers Erasers.
	 * @return array
	 */
	public static function add_eraser( $erasers ) {
		$erasers['native-smtp'] = array(
			'eraser_friendly_name' => __( 'Native SMTP email log', 'native-smtp' ),
			'callback'             => array( __CLASS__, 'erase' ),
		);
		return $erasers;
	}

	/**
	 * The log rows sent to this address, one page.
	 *
	 * @param string $email Address.
	 * @param int    $page  1-based page.
	 * @return array{data: array, done: bool}
	 */
	public static function export( $email, $page = 1 ) {
		$rows  = Native_SMTP_Log::rows_for_address( (string) $email, self::PAGE_SIZE, max( 1, (int) $page ) );
		$items = array();
		foreach ( $rows as $row ) {
			$data = array(
				array(
					'name'  => __( 'Date', 'native-smtp' ),
					'value' => $row['created_at'] . ' UTC',
				),
				array(
					'name'  => __( 'To', 'native-smtp' ),
					'value' => implode( ', ', Native_SMTP_Log::recipients_of( $row ) ),
				),
				array(
					'name'  => __( 'Subject', 'native-smtp' ),
					'value' => $row['subject'],
				),
				array(
					'name'  => __( 'Status', 'native-smtp' ),
					'value' => $row['status'],
				),
			);
			if ( null !== $row['message'] ) {
				$data[] = array(
					'name'  => __( 'Message', 'native-smtp' ),
					'value' => $row['message'],
				);
			}
			$items[] = array(
				'group_id'    => 'native-smtp-email-log',
				'group_label' => __( 'Emails sent by this site', 'native-smtp' ),
				'item_id'     => 'native-smtp-email-' . (int) $row['id'],
				'data'        => $data,
			);
		}
		return array(
			'data' => $items,
			'done' => count( $rows ) < self::PAGE_SIZE,
		);
	}

	/**
	 * Deletes the log rows sent to this address (one page at a time; deleted rows leave the set,
	 * so every call reads the first page).
	 *
	 * @param string $email Address.
	 * @param int    $page  Unused: see above.
	 * @return array{items_removed: bool, items_retained: bool, messages: array, done: bool}
	 */
	public static function erase( $email, $page = 1 ) { // phpcs:ignore Generic.CodeAnalysis.UnusedFunctionParameter.FoundAfterLastUsed -- the eraser signature.
		$rows = Native_SMTP_Log::rows_for_address( (string) $email, self::PAGE_SIZE, 1 );
		$ids  = array_map( 'intval', wp_list_pluck( $rows, 'id' ) );
		$gone = $ids ? Native_SMTP_Log::delete( $ids ) : 0;
		return array(
			'items_removed'  => $gone > 0,
			'items_retained' => false,
			'messages'       => array(),
			'done'           => count( $rows ) < self::PAGE_SIZE,
		);
	}

	/**
	 * Suggested privacy-policy text.
	 */
	public static function add_policy_text() {
		if ( ! function_exists( 'wp_add_privacy_policy_content' ) ) {
			return;
		}
		$text = '<p class="privacy-policy-tutorial">' . esc_html__( 'Native SMTP keeps a log of the emails this site sends.', 'native-smtp' ) . '</p>'
			. '<strong class="privacy-policy-tutorial">' . esc_html__( 'Suggested text:', 'native-smtp' ) . '</strong> '
			. esc_html__( 'When this site sends you an email (for example a password reset or an order confirmation), we keep a record of it: your email address, the subject, the date and whether it was delivered, and, if the site administrator turned it on, the message itself. The record is kept for the number of days set by the administrator and then deleted. Emails are handed to our SMTP email provider for delivery.', 'native-smtp' );
		wp_add_privacy_policy_content( __( 'Native SMTP', 'native-smtp' ), wp_kses_post( $text ) );
	}
}
