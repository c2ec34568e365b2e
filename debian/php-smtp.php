mod debian/smtp.ini
