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
			'cb'         => '<input type="checkbox" />',
			'created_at' => __( 'Date', 'native-smtp' ),
			'to_address' => __( 'To', 'native-smtp' ),
			'subject'    => __( 'Subject', 'native-smtp' ),
			'status'     => __( 'Status', 'native-smtp' ),
			'error'      => __( 'Error', 'native-smtp' ),
		);
	}

	/**
	 * The filters of the request: s (search), status, from and to (Y-m-d).
	 *
	 * @return array{s: string, status: string, from: string, to: string}
	 */
	public function filters() {
		// phpcs:disable WordPress.Security.NonceVerification.Recommended -- filters change nothing.
		$filters = array();
		foreach ( array( 's', 'status', 'from', 'to' ) as $key ) {
			$filters[ $key ] = isset( $_GET[ $key ] ) ? sanitize_text_field( wp_unslash( $_GET[ $key ] ) ) : '';
		}
		// phpcs:enable
		$filters['status'] = in_array( $filters['status'], array( 'sent', 'failed', 'queued' ), true ) ? $filters['status'] : '';
		foreach ( array( 'from', 'to' ) as $key ) {
			$filters[ $key ] = preg_match( '/^\d{4}-\d{2}-\d{2}$/', $filters[ $key ] ) ? $filters[ $key ] : '';
		}
		return $filters;
	}

	/**
	 * Bulk actions: Delete.
	 *
	 * @return array<string, string>
	 */
	protected function get_bulk_actions() {
		return array( 'delete' => __( 'Delete', 'native-smtp' ) );
	}

	/**
	 * The row's checkbox.
	 *
	 * @param array $item Row.
	 * @return string
	 */
	public function column_cb( $item ) {
		return sprintf(
			'<label class="screen-reader-text" for="native-smtp-email-%1$d">%2$s</label><input type="checkbox" id="native-smtp-email-%1$d" name="email[]" value="%1$d" />',
			(int) $item['id'],
			esc_html__( 'Select this email', 'native-smtp' )
		);
	}

	/**
	 * Recipients from the stored list.
	 *
	 * @param array $item Row.
	 * @return string
	 */
	public function column_to_address( $item ) {
		return esc_html( implode( ', ', Native_SMTP_Log::recipients_of( $item ) ) );
	}

	/**
	 * Loads one page of rows.
	 */
	public function prepare_items() {
		$per_page = 20;
		$result   = Native_SMTP_Log::query( $this->filters(), $per_page, $this->get_pagenum() );

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

		// Resend and Delete are buttons (POST, with a confirmation) on the email's own page.
		$url     = admin_url( 'options-general.php?page=native-smtp&tab=log&email=' . (int) $item['id'] );
		$actions = array(
			'view' => sprintf( '<a href="%s" class="native-smtp-view">%s</a>', esc_url( $url ), esc_html__( 'View details', 'native-smtp' ) ),
		);
		return sprintf( '<a href="%s"><strong>%s</strong></a>', esc_url( $url ), $date ) . $this->row_actions( $actions );
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
