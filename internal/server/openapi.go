package server

import (
	_ "embed"
	"net/http"
)

// openapiJSON is the API's OpenAPI 3 document. It is written by hand and
// kept true to the route table by TestOpenAPIMatchesRoutes: every route is
// in it with its roles (x-roles), and nothing else is.
//
//go:embed openapi.json
var openapiJSON []byte

// OpenAPI returns the OpenAPI document.
func OpenAPI() []byte { return openapiJSON }

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, err := w.Write(openapiJSON)
	return err
}
