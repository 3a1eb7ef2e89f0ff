#!/usr/bin/env bash
# mkcerts.sh DIR - the certificates and keys the ERP tests need, made fresh
# with the openssl command (no private key is ever committed):
#
#   ca.pem            the test CA (trusted by the client: erp_ca_file)
#   server.pem/.key   127.0.0.1 and localhost, signed by the test CA
#   wronghost.pem/.key  signed by the test CA, but for wrong.example only
#   otherca.pem       a second CA nobody trusts
#   othersrv.pem/.key 127.0.0.1 and localhost, signed by the other CA
#   rogue.pem/.key    127.0.0.1 and localhost, self-signed
#   client.pem/.key   a client certificate signed by the test CA (mTLS)
#   rogueclient.pem/.key  a client certificate signed by the other CA
#
# EC P-256 keys: quick to make.  Valid for two days.
set -euo pipefail
dir=${1:?usage: mkcerts.sh DIR}
mkdir -p "$dir"
cd "$dir"
umask 077

newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

ca() {  # ca NAME SUBJECT
  newkey "$1.key"
  openssl req -x509 -new -key "$1.key" -out "$1.pem" -days 2 -subj "$2" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

leaf() {  # leaf NAME CA SUBJECT EXTENSIONS...
  local name=$1 ca=$2 subj=$3; shift 3
  newkey "$name.key"
  openssl req -new -key "$name.key" -subj "$subj" -out "$name.csr" 2>/dev/null
  printf '%s\n' "$@" > "$name.ext"
  openssl x509 -req -in "$name.csr" -CA "$ca.pem" -CAkey "$ca.key" -CAcreateserial \
    -days 2 -extfile "$name.ext" -out "$name.pem" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
}

server_ext=("basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature"
            "extendedKeyUsage=serverAuth" "subjectAltName=IP:127.0.0.1,DNS:localhost")
client_ext=("basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature"
            "extendedKeyUsage=clientAuth")

ca ca "/CN=ulf test CA"
ca otherca "/CN=some other CA"
leaf server ca "/CN=localhost" "${server_ext[@]}"
leaf othersrv otherca "/CN=localhost" "${server_ext[@]}"
leaf wronghost ca "/CN=wrong.example" "basicConstraints=CA:FALSE" \
  "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" \
  "subjectAltName=DNS:wrong.example"
leaf client ca "/CN=ulf robot" "${client_ext[@]}"
leaf rogueclient otherca "/CN=ulf robot" "${client_ext[@]}"

newkey rogue.key
openssl req -x509 -new -key rogue.key -out rogue.pem -days 2 -subj "/CN=localhost" \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" 2>/dev/null
