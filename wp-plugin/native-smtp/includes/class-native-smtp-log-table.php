<?php
/**
 * The Email Log list (WP_List_Table).
 *
 * @package Native_SMTP
 */

defined( 'ABSPATH' ) || exit;

if ( ! class_exists( 'WP_List_Table' ) ) {
	require_once ABSPATH . 'wp-admin/includes/class-wp-list-table.php';
}

/**
 * Lists logged emails, newest first, with search, paging and a Resend row action.
 */
class Native_SMTP_Log_Table extends WP_List_Table {

	/**
	 * Sets the list's names.
	 */
	public function __construct() {
		parent::__construct(
			array(
				'singular' => 'native_smtp_email',
				'plural'   => 'native_smtp_emails',
				'ajax'     => false,
			)
		);
	}

	/**
	 * Columns.
	 *
	 * @return array<string, string>
	 */
	public function get_columns() {
		return array(
			'created_at' => __( 'Date', 'native-smtp' ),
			'to_address' => __( 'To', 'native-smtp' ),
			'subject'    => __( 'Subject', 'native-smtp' ),
			'status'     => __( 'Status', 'native-smtp' ),
			'error'      => __( 'Error', 'native-smtp' ),
		);
	}

	/**
	 * Loads one page of rows.
	 */
	public function prepare_items() {
		$per_page = 20;
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- a search changes nothing.
		$search = isset( $_REQUEST['s'] ) ? sanitize_text_field( wp_unslash( $_REQUEST['s'] ) ) : '';
		$result = Native_SMTP_Log::query( $search, $per_page, $this->get_pagenum() );

		$this->_column_headers = array( $this->get_columns(), array(), array() );
		$this->items           = $result['rows'];
		$this->set_pagination_args(
			array(
				'total_items' => $result['total'],
				'per_page'    => $per_page,
				'total_pages' => (int) ceil( $result['total'] / $per_page ),
			)
		);
	}

	/**
	 * Text when the log is empty.
	 */
	public function no_items() {
		esc_html_e( 'No emails logged yet.', 'native-smtp' );
	}

	/**
	 * Date, in the site's format and time zone, with the Resend action.
	 *
	 * @param array $item Row.
	 * @return string
	 */
	public function column_created_at( $item ) {
		$time = strtotime( $item['created_at'] . ' UTC' );
		$date = esc_html( wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), $time ) );

		$actions = array();
		if ( null !== $item['message'] ) {
			$url               = wp_nonce_url( admin_url( 'admin-post.php?action=native_smtp_resend&id=' . (int) $item['id'] ), 'native_smtp_resend_' . (int) $item['id'] );
			$actions['resend'] = sprintf( '<a href="%s">%s</a>', esc_url( $url ), esc_html__( 'Resend', 'native-smtp' ) );
		} else {
			$actions['resend'] = '<span class="description">' . esc_html__( 'Resend needs the stored body', 'native-smtp' ) . '</span>';
		}
		return $date . $this->row_actions( $actions );
	}

	/**
	 * Status as a word the admin reads.
	 *
	 * @param array $item Row.
	 * @return string
	 */
	public function column_status( $item ) {
		if ( 'sent' === $item['status'] ) {
			return '<span class="native-smtp-status-sent" style="color:#008a20">' . esc_html__( 'Sent', 'native-smtp' ) . '</span>';
		}
		$attempts = isset( $item['attempts'] ) ? (int) $item['attempts'] : 1;
		if ( 'queued' === $item['status'] ) {
			return '<span class="native-smtp-status-queued" style="color:#996800">' . esc_html__( 'Queued', 'native-smtp' ) . '</span>';
		}
		if ( 'retried' === $item['status'] ) {
			return '<span class="native-smtp-status-retried" style="color:#996800">' . esc_html(
				sprintf(
					/* translators: %d: number of attempts */
					_n( 'Queued, tried %d time', 'Queued, tried %d times', $attempts, 'native-smtp' ),
					$attempts
				)
			) . '</span>';
		}
		return '<span class="native-smtp-status-failed" style="color:#d63638">' . esc_html__( 'Failed', 'native-smtp' ) . '</span>';
	}

	/**
	 * Error, with its SMTP code.
	 *
	 * @param array $item Row.
	 * @return string
	 */
	public function column_error( $item ) {
		if ( '' === $item['error'] ) {
			return '&mdash;';
		}
		$code = (int) $item['smtp_code'];
		return ( $code > 0 ? '<code>' . esc_html( (string) $code ) . '</code> ' : '' ) . esc_html( $item['error'] );
	}

	/**
	 * Other columns: escaped text.
	 *
	 * @param array  $item        Row.
	 * @param string $column_name Column.
	 * @return string
	 */
	public function column_default( $item, $column_name ) {
		return isset( $item[ $column_name ] ) ? esc_html( (string) $item[ $column_name ] ) : '';
	}
}
